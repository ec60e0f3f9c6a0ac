/**
 * Printers of configuration kinds: ConfigMap (DATA counts data and
 * binaryData), Secret (TYPE, DATA), ServiceAccount (SECRETS) and
 * ResourceQuota (REQUEST and LIMIT as `resource: used/hard`, sorted, the
 * `limits.*` resources under LIMIT). LimitRange has no printer upstream.
 */
import { arr, rec, str, age } from './format.js';
import { AGE_COLUMN, NAME_COLUMN, column, type Printer } from './printer.js';

const count = (v: unknown): number => Object.keys(rec(v)).length;

export const configMapPrinter: Printer = {
  columns: [NAME_COLUMN, column('Data', 'string', 'The number of keys in the config map.'), AGE_COLUMN],
  print(o, now) {
    return { cells: [str(o.metadata.name), count(o.data) + count(o.binaryData), age(o, now)] };
  },
};

export const secretPrinter: Printer = {
  columns: [NAME_COLUMN, column('Type', 'string', 'The type of the secret.'), column('Data', 'string', 'The number of keys in the secret.'), AGE_COLUMN],
  print(o, now) {
    return { cells: [str(o.metadata.name), str(o.type), count(o.data), age(o, now)] };
  },
};

export const serviceAccountPrinter: Printer = {
  columns: [NAME_COLUMN, column('Secrets', 'string', 'The number of secrets the service account references.'), AGE_COLUMN],
  print(o, now) {
    return { cells: [str(o.metadata.name), arr(o.secrets).length, age(o, now)] };
  },
};

export const resourceQuotaPrinter: Printer = {
  columns: [
    NAME_COLUMN,
    AGE_COLUMN,
    column('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    column('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
  ],
  print(o, now) {
    const status = rec(o.status);
    const hard = rec(status.hard);
    const used = rec(status.used);
    const requests: string[] = [];
    const limits: string[] = [];
    for (const resource of Object.keys(hard).sort()) {
      const pieces = resource.split('.');
      const target = pieces.length > 1 && pieces[0] === 'limits' ? limits : requests;
      target.push(`${resource}: ${str(used[resource]) || '0'}/${str(hard[resource]) || '0'}`);
    }
    return { cells: [str(o.metadata.name), age(o, now), requests.join(', '), limits.join(', ')] };
  },
};
