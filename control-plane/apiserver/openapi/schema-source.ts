/**
 * Where the apiserver's OpenAPI and field validation get their schema
 * graph: the .proto files under proto/k8s, loaded once per process by
 * loadSchemaGraph().
 */
import { loadSchemaGraph } from '../../api/schema/proto-schema.js';
import type { SchemaGraph } from '../../api/schema/schema-types.js';

export function defaultSchemaGraph(): SchemaGraph {
  return loadSchemaGraph();
}
