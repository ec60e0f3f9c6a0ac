/**
 * The fallback Table of kinds without a printer, as upstream's default
 * table convertor: NAME and CREATED AT (type date, RFC 3339 in UTC; Go's
 * zero time when the object has none).
 */
import { formatTime } from '../meta.js';
import { str, timeOf } from './format.js';
import { NAME_COLUMN, column, type Printer } from './printer.js';

const ZERO_TIME = '0001-01-01T00:00:00Z';

export const defaultPrinter: Printer = {
  columns: [NAME_COLUMN, column('Created At', 'date', 'When the object was created, in RFC 3339 form (UTC).')],
  print(o) {
    const t = timeOf(o.metadata.creationTimestamp);
    return { cells: [str(o.metadata.name), t === undefined ? ZERO_TIME : formatTime(new Date(t))] };
  },
};
