/**
 * The web services the emulator hosts, each a small scripted "model": what one input record yields
 * (output parameters, console text, files written) and how many ticks it takes. Outcomes depend only
 * on the record and its index, so tests know exactly what to expect.
 */

export interface ParameterDefinition {
  name: string;
  type: 'numeric' | 'integer' | 'logical' | 'character' | 'vector' | 'matrix' | 'data.frame';
}

/** What one record produced: the WebServiceResult fields, plus the files it wrote. */
export interface ItemOutcome {
  success: boolean;
  errorMessage: string;
  consoleOutput: string;
  outputParameters: Record<string, unknown>;
  /** File name → its bytes, built on demand (some are a megabyte). */
  files: Record<string, () => Buffer>;
}

export interface EmulatedService {
  name: string;
  version: string;
  description: string;
  inputs: ParameterDefinition[];
  outputs: ParameterDefinition[];
  outputFileNames: string[];
  /** Ticks one record takes once started (at least 1). */
  ticks(index: number): number;
  run(record: Record<string, unknown>, index: number): ItemOutcome;
}

const ok = (outputParameters: Record<string, unknown>, files: ItemOutcome['files'] = {}, consoleOutput = ''): ItemOutcome => ({
  success: true,
  errorMessage: '',
  consoleOutput,
  outputParameters,
  files,
});
const failure = (errorMessage: string, consoleOutput = ''): ItemOutcome => ({
  success: false,
  errorMessage,
  consoleOutput,
  outputParameters: {},
  files: {},
});

const numberInput = (record: Record<string, unknown>, name: string): number | null => {
  const value = record[name];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
};

/** Size of each `report.bin` that RenderReport writes: big enough that downloads must stream. */
export const REPORT_BYTES = 1024 * 1024;

/** Deterministic bytes for a report, so tests can compare a download byte for byte. */
export function reportBytes(pages: number, index: number): Buffer {
  const bytes = Buffer.allocUnsafe(REPORT_BYTES);
  for (let i = 0; i < bytes.length; i += 1) bytes[i] = (i * 31 + pages * 7 + index) & 0xff;
  return bytes;
}

/** `y = 2x`: the "Double" service of the ML Server docs' quick-start. */
const double: EmulatedService = {
  name: 'Double',
  version: '1.0',
  description: 'Doubles its input (quick-start sample).',
  inputs: [{ name: 'x', type: 'numeric' }],
  outputs: [{ name: 'y', type: 'numeric' }],
  outputFileNames: [],
  ticks: (index) => 1 + (index % 2),
  run(record) {
    const x = numberInput(record, 'x');
    return x === null ? failure("TypeError: input 'x' must be numeric") : ok({ y: x * 2 });
  },
};

/** The manual-transmission logistic model of the ML Server samples; writes `answer.csv` per record. */
const transmission: EmulatedService = {
  name: 'TxService',
  version: '1.0',
  description: 'Probability of a manual transmission from horsepower and weight.',
  inputs: [
    { name: 'hp', type: 'numeric' },
    { name: 'wt', type: 'numeric' },
  ],
  outputs: [{ name: 'answer', type: 'numeric' }],
  outputFileNames: ['answer.csv'],
  ticks: (index) => 1 + (index % 3),
  run(record) {
    const hp = numberInput(record, 'hp');
    const wt = numberInput(record, 'wt');
    if (hp === null || wt === null) {
      const missing = hp === null ? 'hp' : 'wt';
      return failure(`ValueError: could not convert input '${missing}' to numeric`, `Traceback (most recent call last):\n  scoring record\n`);
    }
    const answer = Number((1 / (1 + Math.exp(-(18.87 - 8.08 * wt + 0.036 * hp)))).toFixed(6));
    return ok({ answer }, { 'answer.csv': () => Buffer.from(`hp,wt,answer\n${hp},${wt},${answer}\n`, 'utf8') }, `scored hp=${hp} wt=${wt}\n`);
  },
};

/** Renders a ~1 MB binary report per record: exercises streaming downloads. */
const renderReport: EmulatedService = {
  name: 'RenderReport',
  version: '2.0',
  description: 'Renders one binary report per request.',
  inputs: [{ name: 'pages', type: 'integer' }],
  outputs: [{ name: 'bytes', type: 'integer' }],
  outputFileNames: ['report.bin'],
  ticks: () => 2,
  run(record, index) {
    const pages = numberInput(record, 'pages');
    if (pages === null || !Number.isInteger(pages) || pages < 1) return failure("ValueError: 'pages' must be a positive integer");
    return ok({ bytes: REPORT_BYTES }, { 'report.bin': () => reportBytes(pages, index) });
  },
};

/** A service whose runtime lost a package: every record fails, so its batches end Failed. */
const legacyScorer: EmulatedService = {
  name: 'LegacyScorer',
  version: '0.1',
  description: 'A model published against a package the server no longer has.',
  inputs: [{ name: 'features', type: 'vector' }],
  outputs: [{ name: 'score', type: 'numeric' }],
  outputFileNames: [],
  ticks: () => 1,
  run: () => failure("ModuleNotFoundError: No module named 'revoscalepy.legacy'"),
};

/** Every service an emulator hosts, demo or not. */
export const defaultServices = (): EmulatedService[] => [double, transmission, renderReport, legacyScorer];
