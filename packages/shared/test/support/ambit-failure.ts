import { AmbitError } from '../../src/errors';

/** The AmbitError `fn` throws; any other error is rethrown, and no error at all fails the test. */
export function ambitFailure(fn: () => unknown, expected = 'expected validation to fail'): AmbitError {
  try {
    fn();
  } catch (e) {
    if (e instanceof AmbitError) return e;
    throw e;
  }
  throw new Error(expected);
}
