import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { goArch, parseLoadavgTasks, parseMeminfo, parseOsRelease, parseProcStatCpu } from './host-info.js';

describe('host info parsing', () => {
  it("names architectures as Go's GOARCH does", () => {
    assert.equal(goArch('x64'), 'amd64');
    assert.equal(goArch('arm64'), 'arm64');
  });

  it('reads /proc/meminfo fields in bytes', () => {
    const m = parseMeminfo('MemTotal:       24683620 kB\nInactive(file):   123 kB\nHugePages_Total:       0\n');
    assert.equal(m.get('MemTotal'), 24683620 * 1024);
    assert.equal(m.get('Inactive(file)'), 123 * 1024);
    assert.equal(m.get('HugePages_Total'), 0);
  });

  it('counts busy CPU time (user, nice, system, irq, softirq) from /proc/stat in ns', () => {
    const text = 'cpu  100 5 50 9000 30 2 3 7 0 0\ncpu0 50 2 25 4500 15 1 1 3 0 0\n';
    assert.equal(parseProcStatCpu(text), (100 + 5 + 50 + 2 + 3) * 10_000_000);
    assert.throws(() => parseProcStatCpu('intr 1 2 3\n'), /no cpu line/);
  });

  it('takes the task total from /proc/loadavg', () => {
    assert.equal(parseLoadavgTasks('1.30 1.74 2.05 1/93 8252\n'), 93);
  });

  it('reads PRETTY_NAME from os-release, quoted or not', () => {
    assert.equal(parseOsRelease('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\n'), 'Debian GNU/Linux 12 (bookworm)');
    assert.equal(parseOsRelease('PRETTY_NAME=Alpine\n'), 'Alpine');
    assert.equal(parseOsRelease('NAME=x\n'), undefined);
  });
});
