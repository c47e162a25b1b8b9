/** A problem the editor marks: from validation (schema, store dry run) or analysis, on the line of the field it names. */
export interface EditorMarker {
  level: 'Error' | 'Warning' | 'Info';
  code: string;
  message: string;
  path?: string | undefined;
  line: number;
  column: number;
}
