/**
 * Where the apiserver gets its schema graph: the .proto files under
 * proto/k8s, loaded once per process by loadSchemaGraph(). Until those
 * files exist (they land kind by kind) the graph is empty, and OpenAPI and
 * field validation treat every kind as an open object rather than failing.
 */
import { loadSchemaGraph, schemaFromSources } from '../../api/schema/proto-schema.js';
import type { SchemaGraph } from '../../api/schema/schema-types.js';

let empty: SchemaGraph | undefined;

export function defaultSchemaGraph(): SchemaGraph {
  try {
    return loadSchemaGraph();
  } catch (e) {
    // Only a missing proto/k8s folder is tolerated; a broken .proto is a bug to surface.
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    empty ??= schemaFromSources({});
    return empty;
  }
}
