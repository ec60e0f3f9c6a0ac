/**
 * Flag parsing shared by the commands: node:util parseArgs in strict mode,
 * with its errors turned into one-line UsageErrors that name the flag and
 * point at the command's --help.
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';

/** A mistake on the command line; exits 2 with one line on stderr. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

type Options = NonNullable<ParseArgsConfig['options']>;

export function parseFlags<O extends Options>(args: string[], options: O, command: string): ReturnType<typeof parseArgs<{ args: string[]; options: O; strict: true; allowPositionals: false }>>['values'] {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: false }).values;
  } catch (e) {
    const err = e as { code?: string; message?: string };
    const msg = err.message ?? String(e);
    const hint = `(see skiff ${command} --help)`;
    switch (err.code) {
      case 'ERR_PARSE_ARGS_UNKNOWN_OPTION': {
        const flag = /Unknown option '([^']+)'/.exec(msg)?.[1] ?? msg;
        throw new UsageError(`unknown flag ${flag} ${hint}`);
      }
      case 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE': {
        const flag = /Option '(?:-\w, )?(--[\w-]+)/.exec(msg)?.[1];
        throw new UsageError(flag ? `flag ${flag} needs a value ${hint}` : `${msg.split('\n')[0]} ${hint}`);
      }
      case 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL': {
        const arg = /Unexpected argument '([^']+)'/.exec(msg)?.[1] ?? msg;
        throw new UsageError(`unexpected argument ${arg} ${hint}`);
      }
      default:
        throw new UsageError(`${msg.split('\n')[0]} ${hint}`);
    }
  }
}
