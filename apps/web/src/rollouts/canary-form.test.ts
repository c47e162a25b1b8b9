import { describe, expect, it } from 'vitest';
import { type CanaryForm, checkCanaryForm, DEFAULT_FORM, durationMs, parseEnv, parseSteps, wizardInput } from './canary-form';

const form = (change: Partial<CanaryForm>): CanaryForm => ({
  ...DEFAULT_FORM,
  namespace: 'demo',
  service: 'reviews',
  target: 'reviews-v2',
  image: 'docker.io/istio/examples-bookinfo-reviews-v3:1.20.3',
  ...change,
});

describe('checkCanaryForm', () => {
  it('turns a filled form into the plan for the back end', () => {
    const { errors, plan } = checkCanaryForm(form({ steps: '10,30 50', interval: '10s', matchHeader: 'X-Canary', matchValue: 'yes' }));
    expect(errors).toEqual({});
    expect(plan).toEqual({
      namespace: 'demo',
      target: 'reviews-v2',
      service: 'reviews',
      port: 9080,
      image: 'docker.io/istio/examples-bookinfo-reviews-v3:1.20.3',
      env: [],
      stepWeights: [10, 30, 50],
      interval: '10s',
      threshold: 2,
      minSuccessRate: 99,
      maxP99Ms: 500,
      match: { header: 'x-canary', exact: 'yes', iterations: 5 },
    });
  });

  it('names every wrong field at once and gives no plan', () => {
    const { errors, plan } = checkCanaryForm(
      form({ namespace: 'Demo', port: '0', steps: '50, 20', interval: 'soon', threshold: '0', minSuccessRate: '101', maxP99Ms: '' }),
    );
    expect(plan).toBeUndefined();
    expect(Object.keys(errors).sort()).toEqual(['interval', 'maxP99Ms', 'minSuccessRate', 'namespace', 'port', 'steps', 'threshold']);
    expect(errors.steps).toBe('each step must be higher than the one before');
  });

  it('needs something new for the canary: an image or environment changes', () => {
    expect(checkCanaryForm(form({ image: '', env: '' })).errors.image).toMatch(/new image/);
    expect(checkCanaryForm(form({ image: '', env: 'FAIL_RATE=0.5' })).plan?.env).toEqual([{ name: 'FAIL_RATE', value: '0.5' }]);
  });

  it('wants both halves of an A/B match or neither', () => {
    expect(checkCanaryForm(form({ matchHeader: 'x-canary' })).errors.matchValue).toBeDefined();
    expect(checkCanaryForm(form({ matchValue: 'yes' })).errors.matchHeader).toBeDefined();
    expect(checkCanaryForm(form({})).plan?.match).toBeUndefined();
    expect(checkCanaryForm(form({ matchHeader: 'x-canary', matchValue: 'yes', iterations: '0' })).errors.iterations).toBeDefined();
  });
});

describe('parseSteps', () => {
  it('reads weights separated by commas or spaces and refuses anything that is not a rising percentage', () => {
    expect(parseSteps(' 5, 10 ,100 ')).toEqual([5, 10, 100]);
    expect(parseSteps('')).toMatch(/at least one/);
    expect(parseSteps('10, 10')).toMatch(/higher/);
    expect(parseSteps('0')).toMatch(/from 1 to 100/);
    expect(parseSteps('12.5')).toMatch(/from 1 to 100/);
  });
});

describe('parseEnv', () => {
  it('keeps everything after the first = as the value and names the bad line', () => {
    expect(parseEnv('A=1\n\nB = x=y')).toEqual([
      { name: 'A', value: '1' },
      { name: 'B', value: ' x=y' },
    ]);
    expect(parseEnv('A=1\nnonsense')).toBe('line 2: write NAME=value');
  });
});

describe('durationMs', () => {
  it('reads Go durations', () => {
    expect(durationMs('1m30s')).toBe(90_000);
    expect(durationMs('500ms')).toBe(500);
    expect(durationMs('10')).toBeNaN();
  });
});

describe('wizardInput', () => {
  it('asks for a step canary, or for an A/B test when a header selects the canary', () => {
    const canary = checkCanaryForm(form({ steps: '10, 20', interval: '10s' })).plan;
    const ab = checkCanaryForm(form({ matchHeader: 'x-user', matchValue: 'tester', iterations: '3' })).plan;
    if (!canary || !ab) throw new Error('the forms are valid');
    expect(wizardInput(canary)).toEqual({
      namespace: 'demo',
      target: 'reviews-v2',
      service: { name: 'reviews', port: 9080 },
      strategy: 'canary',
      stepWeights: [10, 20],
      interval: '10s',
      metricInterval: '30s',
      threshold: 2,
      successRateMin: 99,
      durationMaxMs: 500,
    });
    expect(wizardInput(ab)).toMatchObject({
      strategy: 'ab-testing',
      iterations: 3,
      match: [{ headers: { 'x-user': { exact: 'tester' } } }],
    });
    expect(wizardInput(ab)).not.toHaveProperty('stepWeights');
    expect(wizardInput({ ...canary, interval: '2m' }).metricInterval).toBe('2m');
  });
});
