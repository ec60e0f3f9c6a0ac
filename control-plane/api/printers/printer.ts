/**
 * The printer contract: what a kind's server-side Table looks like
 * (meta.k8s.io Table columns) and how one object becomes one row. Printers
 * are pure functions of the object and an injected `now`, so every cell is
 * reproducible in tests. Column names, types, formats and priorities follow
 * upstream's printers (wide columns have priority 1); the descriptions are
 * our own words.
 */
import type { KubeObject } from '../meta.js';

/** metav1.TableColumnDefinition. */
export interface TableColumnDefinition {
  name: string;
  /** OpenAPI type: string, integer, number, boolean, date. */
  type: string;
  /** `name` for the object's name column, otherwise ''. */
  format: string;
  description: string;
  /** 0: always shown; 1: shown with `-o wide`. */
  priority: number;
}

/** metav1.TableRowCondition (only `Completed` is defined upstream). */
export interface TableRowCondition {
  type: 'Completed';
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

/** One printed row: a cell per column, in column order. */
export interface PrintedRow {
  cells: (string | number | boolean)[];
  conditions?: TableRowCondition[];
}

/** How one kind prints. `print` must not mutate the object. */
export interface Printer {
  readonly columns: readonly TableColumnDefinition[];
  print(obj: KubeObject, now: Date): PrintedRow;
}

export interface ColumnOptions {
  format?: string;
  /** Wide-only column. */
  wide?: boolean;
}

export function column(name: string, type: string, description: string, opts: ColumnOptions = {}): TableColumnDefinition {
  return { name, type, format: opts.format ?? '', description, priority: opts.wide ? 1 : 0 };
}

export const NAME_COLUMN = column('Name', 'string', 'The name of the object, unique within its namespace.', { format: 'name' });
export const AGE_COLUMN = column('Age', 'string', 'Time since the object was created.');
export const CONTAINERS_COLUMN = column('Containers', 'string', 'Names of each container in the template.', { wide: true });
export const IMAGES_COLUMN = column('Images', 'string', 'Images referenced by each container in the template.', { wide: true });
export const SELECTOR_COLUMN = column('Selector', 'string', 'The label selector of the pods this object manages.', { wide: true });
