/** The editor's address for a stored object. */
export function editPath(kind: string, namespace: string, name: string): string {
  const query = new URLSearchParams({ kind, namespace, name });
  return `/policies/edit?${query.toString()}`;
}
