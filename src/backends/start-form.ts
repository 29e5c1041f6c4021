/**
 * How the dashboard's "Start a batch" dialog asks for one kind's input: plain data a backend folder
 * writes and the dashboard renders, so the dashboard knows no kind. Defaults are inputs the kind's
 * emulator accepts, so the embedded demo can be tried without looking anything up.
 */

interface FieldBase {
  /** The input object's field name (also the form control's name). */
  name: string;
  label: string;
  /** A line under the control. */
  hint?: string;
  /** An empty optional field is left out of the input. @default true */
  required?: boolean;
}

export type StartFormField =
  /** One line of text, trimmed. */
  | (FieldBase & { type: 'text'; default?: string })
  /** Several lines, sent as written. */
  | (FieldBase & { type: 'textarea'; default?: string; rows?: number })
  | (FieldBase & { type: 'number'; default?: number; min?: number; max?: number })
  /** Items separated by commas or lines, sent as a list of strings. */
  | (FieldBase & { type: 'list'; default?: string; rows?: number })
  /** JSON text, sent parsed; `expect` is the JSON type the input wants. */
  | (FieldBase & { type: 'json'; expect: 'array' | 'object'; default?: string; rows?: number })
  | (FieldBase & { type: 'select'; options: readonly string[]; default?: string });

/** A one-line text field; `extra` adds a hint or makes it optional. */
export const textField = (name: string, label: string, defaultValue?: string, extra: Pick<FieldBase, 'hint' | 'required'> = {}): StartFormField => ({
  name,
  label,
  type: 'text',
  ...(defaultValue === undefined ? {} : { default: defaultValue }),
  ...extra,
});

export interface StartFormDescription {
  /** The kind's short name, shown beside backend ids (e.g. "SLV"). */
  title: string;
  /** The heading of the kind's fields. */
  legend: string;
  /** The fields of the kind's input object. */
  fields?: readonly StartFormField[];
  /**
   * For an input that takes exactly one of several operations: a chooser, and for each operation the
   * fields of its nested object (`{ [operation]: { ...fields } }`).
   */
  operations?: { label: string; choices: ReadonlyArray<{ name: string; fields: readonly StartFormField[] }> };
}

/** What the gateway serves the dashboard: each kind's form, keyed by its GraphQL `BackendKind` value. */
export type StartForms = Record<string, StartFormDescription & { inputField: string }>;
