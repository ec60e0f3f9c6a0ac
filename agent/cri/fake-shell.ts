/**
 * A tiny model of what a busybox container does with its argv, for the
 * fake runtime: enough of `sh -c` to script containers and exec probes in
 * kubelet unit tests with the commands real tests use.
 *
 * Understood: `echo [-n] WORDS [>&2]`, `sleep N|infinity`, `exit N`,
 * `true`, `false`, `trap 'ACTION' TERM` (ACTION `exit N`, or '' to ignore),
 * `exec CMD`, and sequences joined by `;`, `&&`, `||` or newlines, with
 * single/double quotes. Anything else succeeds silently at once, except
 * the daemons `httpd`, `nc` and `tail -f`, which run until killed.
 *
 * Signals as in a real container (the fake runtime applies them): SIGTERM
 * kills (exit 143) unless trapped, except PID 1 of its own PID namespace
 * (CRI pid namespace CONTAINER, as the kubelet sets), which ignores it
 * unless trapped, so it waits out the stop timeout and is killed (137).
 */

export type Step =
  | { kind: 'out'; stream: 'stdout' | 'stderr'; text: string }
  | { kind: 'sleep'; ms: number }
  | { kind: 'status'; code: number }
  | { kind: 'exit'; code: number };

export interface Program {
  steps: Step[];
  /** What a `trap … TERM` set: the exit code of the handler, or 'ignore' (`trap '' TERM`); undefined: no trap. */
  onTerm?: number | 'ignore';
}

const DAEMONS = new Set(['httpd', 'nc', 'pause']);

/** Splits a shell line into words (quotes respected) and the separators `;`, `&&`, `||`, newline. */
function tokenize(script: string): string[][] {
  const commands: string[][] = [];
  let words: string[] = [];
  let cur = '';
  let inWord = false;
  const endWord = (): void => {
    if (inWord) words.push(cur);
    cur = '';
    inWord = false;
  };
  const endCommand = (): void => {
    endWord();
    if (words.length) commands.push(words);
    words = [];
  };
  for (let i = 0; i < script.length; i++) {
    const ch = script[i] as string;
    if (ch === "'" || ch === '"') {
      const close = script.indexOf(ch, i + 1);
      const end = close < 0 ? script.length : close;
      cur += script.slice(i + 1, end);
      inWord = true;
      i = end;
    } else if (ch === '>') {
      // a redirection (`>&2`, `2>&1`, `>/dev/null`) is one word, `&` included
      let j = i + 1;
      while (j < script.length && !/[\s;|]/.test(script[j] as string)) j++;
      cur += script.slice(i, j);
      inWord = true;
      endWord();
      i = j - 1;
    } else if (ch === ';' || ch === '\n') endCommand();
    else if ((ch === '&' || ch === '|') && script[i + 1] === ch) {
      endCommand();
      i++;
    } else if (ch === '&') endCommand(); // background: the next command runs at once
    else if (ch === ' ' || ch === '\t') endWord();
    else {
      cur += ch;
      inWord = true;
    }
  }
  endCommand();
  return commands;
}

function seconds(arg: string | undefined): number {
  if (arg === undefined || arg === 'infinity' || arg === 'inf') return Infinity;
  const n = Number(arg.replace(/s$/, ''));
  return Number.isFinite(n) && n >= 0 ? n * 1000 : 0;
}

function commandSteps(words: string[], program: Program): Step[] {
  let w = words;
  if (w[0] === 'exec') w = w.slice(1);
  const name = (w[0] ?? '').split('/').pop() ?? '';
  const args = w.slice(1);
  switch (name) {
    case 'echo': {
      const redirects = args.filter((a) => a.includes('>'));
      const rest = args.filter((a) => !a.includes('>'));
      const noNewline = rest[0] === '-n';
      const text = (noNewline ? rest.slice(1) : rest).join(' ') + (noNewline ? '' : '\n');
      if (redirects.some((r) => /^1?>\/dev\/null$/.test(r))) return [{ kind: 'status', code: 0 }];
      const toErr = redirects.some((r) => r === '>&2' || r === '1>&2');
      return [{ kind: 'out', stream: toErr ? 'stderr' : 'stdout', text }, { kind: 'status', code: 0 }];
    }
    case 'sleep':
      return [{ kind: 'sleep', ms: seconds(args[0]) }, { kind: 'status', code: 0 }];
    case 'exit':
      return [{ kind: 'exit', code: Number(args[0] ?? 0) & 0xff }];
    case 'false':
      return [{ kind: 'status', code: 1 }];
    case 'trap': {
      const [action, ...sigs] = args;
      if (sigs.some((s) => s === 'TERM' || s === 'SIGTERM' || s === '15')) {
        const m = /^\s*exit\s*(\d*)\s*$/.exec(action ?? '');
        program.onTerm = action === '' || action === undefined ? 'ignore' : m ? Number(m[1] || 0) : 0;
      }
      return [{ kind: 'status', code: 0 }];
    }
    case 'tail':
      return args.includes('-f') ? [{ kind: 'sleep', ms: Infinity }] : [{ kind: 'status', code: 0 }];
    default:
      return DAEMONS.has(name) ? [{ kind: 'sleep', ms: Infinity }] : [{ kind: 'status', code: 0 }];
  }
}

/** The behaviour of a process started with `argv` (container command+args, or an exec's cmd). Empty argv = the image's default: runs until killed. */
export function parseProgram(argv: string[]): Program {
  const program: Program = { steps: [] };
  if (argv.length === 0) {
    program.steps.push({ kind: 'sleep', ms: Infinity });
    return program;
  }
  const name = (argv[0] ?? '').split('/').pop();
  if ((name === 'sh' || name === 'bash' || name === 'ash') && argv[1] === '-c') {
    for (const words of tokenize(argv[2] ?? '')) program.steps.push(...commandSteps(words, program));
  } else if (name === 'sh' || name === 'bash' || name === 'ash') {
    program.steps.push({ kind: 'status', code: 0 }); // stdin is closed: an interactive shell exits at once
  } else {
    program.steps.push(...commandSteps(argv, program));
  }
  return program;
}
