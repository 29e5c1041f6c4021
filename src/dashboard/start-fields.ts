import type { StartFormDescription, StartFormField } from '../backends/start-form.js';
import { h, replaceChildren } from './dom.js';
import { splitList } from './format.js';

/**
 * Renders a backend's start form description and reads it back into its `StartBatchInput` field.
 * Control names are the input's field names; an operation's fields are named after the operation
 * too, so switching operations never mixes their values.
 */

const controlName = (operation: string | null, field: StartFormField) => (operation ? `${operation}.${field.name}` : field.name);
const controlId = (name: string) => `start-${name.replace(/\./g, '-')}`;
const OPERATION = '$operation';

function control(field: StartFormField): HTMLElement {
  const required = field.required ?? true;
  switch (field.type) {
    case 'text':
      return h('input', { type: 'text', value: field.default ?? '', required, autocomplete: 'off' });
    case 'number':
      return h('input', { type: 'number', required, value: field.default ?? '', ...(field.min === undefined ? {} : { min: field.min }), ...(field.max === undefined ? {} : { max: field.max }) });
    case 'select':
      return h('select', { required }, ...field.options.map((value) => h('option', { value }, value)));
    case 'textarea':
    case 'list':
    case 'json':
      return h('textarea', { rows: field.rows ?? 3, required }, field.default ?? '');
  }
}

function fieldRow(name: string, field: StartFormField, element: HTMLElement = control(field)): HTMLElement {
  const id = controlId(name);
  element.id = id;
  element.setAttribute('name', name);
  if (field.type === 'select' && field.default) (element as HTMLSelectElement).value = field.default;
  if (field.hint) element.setAttribute('aria-describedby', `${id}-hint`);
  return h('p', { class: 'field' }, h('label', { for: id }, field.label), element, field.hint && h('small', { id: `${id}-hint` }, field.hint));
}

/** The fieldset of one kind's form. */
export function renderStartFields(form: StartFormDescription): HTMLElement {
  const fieldset = h('fieldset', {}, h('legend', {}, form.legend));
  for (const field of form.fields ?? []) fieldset.append(fieldRow(controlName(null, field), field));
  const operations = form.operations;
  if (operations) {
    const chooser = h('select', {}, ...operations.choices.map((choice) => h('option', { value: choice.name }, choice.name)));
    const chosen = h('div');
    const render = () => {
      const choice = operations.choices.find((candidate) => candidate.name === chooser.value) ?? operations.choices[0];
      replaceChildren(chosen, ...(choice?.fields ?? []).map((field) => fieldRow(controlName(choice!.name, field), field)));
    };
    chooser.addEventListener('change', render);
    render();
    fieldset.append(fieldRow(OPERATION, { name: OPERATION, label: operations.label, type: 'select', options: [] }, chooser), chosen);
  }
  return fieldset;
}

function readField(field: StartFormField, raw: string): unknown {
  switch (field.type) {
    case 'text':
    case 'select':
      return raw.trim();
    case 'textarea':
      return raw;
    case 'number':
      return Number(raw);
    case 'list':
      return splitList(raw);
    case 'json': {
      const example = field.expect === 'array' ? '[{"x": 1}]' : '{"x": "1"}';
      let value: unknown;
      try {
        value = JSON.parse(raw);
      } catch {
        throw new Error(`${field.label}: expected a JSON ${field.expect}, e.g. ${example}`);
      }
      const isArray = Array.isArray(value);
      if ((field.expect === 'array') !== isArray || typeof value !== 'object' || value === null) {
        throw new Error(`${field.label}: expected a JSON ${field.expect}, e.g. ${example}`);
      }
      return value;
    }
  }
}

const textOf = (data: FormData, name: string): string => {
  const value = data.get(name);
  return typeof value === 'string' ? value : '';
};

function readFields(fields: readonly StartFormField[], operation: string | null, data: FormData): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const field of fields) {
    const raw = textOf(data, controlName(operation, field));
    // An optional field left empty is left out: the backend's own default applies.
    if (raw.trim() === '' && field.required === false) continue;
    values[field.name] = readField(field, raw);
  }
  return values;
}

/** Reads the form into the value of the kind's `StartBatchInput` field; throws a message for the person to fix. */
export function readStartFields(form: StartFormDescription, data: FormData): Record<string, unknown> {
  const values = readFields(form.fields ?? [], null, data);
  if (form.operations) {
    const name = textOf(data, OPERATION);
    const choice = form.operations.choices.find((candidate) => candidate.name === name);
    if (choice) values[choice.name] = readFields(choice.fields, choice.name, data);
  }
  return values;
}
