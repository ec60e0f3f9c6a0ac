/**
 * Builds a meta.k8s.io Table from objects, as upstream's asTable: the
 * entry's printer (or the default NAME / CREATED AT one) makes the columns
 * and cells from the stored form of each object; each row's `object` is
 * PartialObjectMetadata (includeObject=Metadata, the default), the whole
 * served object (Object) or null (None). `noHeaders` leaves
 * columnDefinitions null, as watch events after the first do.
 */
import type { KubeObject, ListMeta } from '../../api/meta.js';
import type { ResolvedResource } from '../../api/resource-table.js';
import { defaultPrinter } from '../../api/printers/default-table.js';
import type { Printer, TableColumnDefinition, TableRowCondition } from '../../api/printers/printer.js';
import type { IncludeObject } from './negotiate.js';

export interface TableRow {
  cells: unknown[];
  conditions?: TableRowCondition[];
  object: unknown;
}

export interface Table {
  kind: 'Table';
  apiVersion: string;
  metadata: ListMeta;
  columnDefinitions: readonly TableColumnDefinition[] | null;
  rows: TableRow[];
}

export interface TableOptions {
  version: 'v1' | 'v1beta1';
  includeObject: IncludeObject;
  noHeaders?: boolean;
}

/** One object to print: its served form (what the client asked for) and its stored form (what printers read). */
export interface PrintItem {
  served: KubeObject;
  stored: KubeObject;
}

export function printerFor(resolved: ResolvedResource, servedKind: string | undefined): Printer {
  // Subresources of another kind (Scale) print with the default table, as their own storage does upstream.
  if (servedKind !== undefined && servedKind !== resolved.kind) return defaultPrinter;
  return resolved.entry.printer ?? defaultPrinter;
}

/** PartialObjectMetadata of an object in meta.k8s.io/<version>. */
export function partialObjectMetadata(obj: KubeObject, version: string): KubeObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function buildTable(printer: Printer, items: PrintItem[], metadata: ListMeta, opts: TableOptions, now: Date): Table {
  const rows = items.map(({ served, stored }): TableRow => {
    const printed = printer.print(stored, now);
    const row: TableRow = { cells: printed.cells, object: null };
    if (printed.conditions) row.conditions = printed.conditions;
    if (opts.includeObject === 'Metadata') row.object = partialObjectMetadata(served, opts.version);
    else if (opts.includeObject === 'Object') row.object = served;
    return row;
  });
  return {
    kind: 'Table',
    apiVersion: `meta.k8s.io/${opts.version}`,
    metadata,
    columnDefinitions: opts.noHeaders ? null : printer.columns,
    rows,
  };
}
