import { describe, expect, it } from 'vitest';
import { columns, currentMessage, currentStep, fit, listCells, percentText, progressBar, statusText, type CliBatch } from './render.js';

const batch = (overrides: Partial<CliBatch> = {}): CliBatch => ({
  id: 'QmF0Y2g6eDp5',
  nativeId: '1481016600181',
  name: 'commissionControllerAsync',
  state: 'RUNNING',
  nativeStatus: 'RUNNING',
  backend: { id: 'lights' },
  progress: { percent: 42.25, completedItems: 17, totalItems: 40, failedItems: 0, message: null },
  startedAt: null,
  finishedAt: null,
  steps: [
    { name: 'config', label: 'Controller configuration', status: 'OK', messages: [{ severity: 'INFO', text: 'pushed' }] },
    { name: 'devices', label: null, status: 'WARNING', messages: [{ severity: 'WARNING', text: 'lamp-4 did not answer' }] },
  ],
  ...overrides,
});

describe('CLI rendering', () => {
  it('draws a bar proportional to the percent and a moving block when it is unknown', () => {
    expect(progressBar(50, 10)).toBe('[#####-----]');
    expect(progressBar(100, 4)).toBe('[####]');
    expect(progressBar(150, 4)).toBe('[####]');
    expect(progressBar(null, 10, 0)).toBe('[===-------]');
    expect(progressBar(null, 10, 2)).toBe('[--===-----]');
  });

  it('never draws a full bar or says 100% before the batch reaches 100 %', () => {
    expect(progressBar(99.9, 24)).toBe(`[${'#'.repeat(23)}-]`);
    expect(progressBar(98, 24)).toBe(`[${'#'.repeat(23)}-]`);
    expect(progressBar(0.5, 24)).toBe(`[#${'-'.repeat(23)}]`);
    expect(progressBar(0, 4)).toBe('[----]');
    expect(percentText(99.96)).toBe('99.9%');
    expect(percentText(100)).toBe('100%');
  });

  it('rounds percents to one decimal and shows ? while unknown', () => {
    expect(percentText(42.25)).toBe('42.3%');
    expect(percentText(null)).toBe('?');
  });

  it('names the current step and its last message', () => {
    expect(currentStep(batch())).toBe('devices');
    expect(currentMessage(batch())).toBe('lamp-4 did not answer');
    expect(currentMessage(batch({ progress: { ...batch().progress, message: '1 of 40 failed' } }))).toBe('1 of 40 failed');
    expect(statusText(batch())).toBe('RUNNING      42.3%  17/40 items  step: devices — lamp-4 did not answer');
  });

  it('lists the id last and aligns every column but the last', () => {
    const lines = columns([listCells(batch()), listCells(batch({ backend: { id: 'a' }, state: 'SUCCEEDED', name: null }))]);
    expect(lines).toEqual(['lights  RUNNING    42.3%  commissionControllerAsync  QmF0Y2g6eDp5', 'a       SUCCEEDED  42.3%  1481016600181              QmF0Y2g6eDp5']);
  });

  it('cuts a line to the terminal width', () => {
    expect(fit('abcdefgh', 6)).toBe('abcd…');
    expect(fit('abc', 6)).toBe('abc');
    expect(fit('abc', undefined)).toBe('abc');
  });
});
