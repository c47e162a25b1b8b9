import type { StoredObject } from '@ambit/control-plane/store';
import { encodeManifests, kindInfo } from '@ambit/shared';
import { columnsFor } from './columns';
import { formatAge, formatTable } from './table';

export type OutputFormat = 'table' | 'json' | 'yaml' | 'name';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json', 'yaml', 'name'];

/** `service/reviews`, `httproute.gateway.networking.k8s.io/reviews`: how kubectl names an object. */
export function resourceName(kind: string, name: string): string {
  const { group } = kindInfo(kind);
  return `${kind.toLowerCase()}${group ? `.${group}` : ''}/${name}`;
}

/**
 * Renders objects. JSON of several objects is a `v1 List` as kubectl prints it; YAML is a
 * multi-document stream. Both re-apply with `ambit apply -f`.
 */
export function printObjects(
  objects: readonly StoredObject[],
  format: OutputFormat,
  options: { kind: string; allNamespaces: boolean; single: boolean },
): string {
  switch (format) {
    case 'json':
      return JSON.stringify(options.single ? objects[0] : { apiVersion: 'v1', kind: 'List', items: objects }, null, 2);
    case 'yaml':
      return encodeManifests(objects).trimEnd();
    case 'name':
      return objects.map((o) => resourceName(o.kind, o.metadata.name)).join('\n');
    case 'table': {
      const columns = columnsFor(options.kind);
      const headers = [...(options.allNamespaces ? ['NAMESPACE'] : []), 'NAME', ...columns.headers, 'AGE'];
      const rows = objects.map((o) => [
        ...(options.allNamespaces ? [o.metadata.namespace ?? ''] : []),
        o.metadata.name,
        ...columns.cells(o),
        formatAge(o.metadata.creationTimestamp),
      ]);
      return formatTable(headers, rows);
    }
  }
}
