import { CODES } from '../codes';
import type { Analyzer } from '../context';
import { messageFor } from '../message';

/** IST0106: objects the shared schemas reject. They would not be applied, and other analyzers skip them. */
export const schemaAnalyzer: Analyzer = (ctx) =>
  ctx.schemaProblems.flatMap(({ object, error }) => {
    const details = error.details.length > 0 ? error.details : [{ message: error.message }];
    return details.map((d) => messageFor(CODES.SchemaValidationError, object, d.path ?? '', `Schema validation error: ${d.message}`));
  });
