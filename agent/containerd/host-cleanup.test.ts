import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { iptablesCleanupScripts, mountsUnder } from './host-cleanup.js';

const dnat = (net: string, id: string, chain: string, port: number): string =>
  `-A CNI-HOSTPORT-DNAT -p tcp -m comment --comment "dnat name: \\"${net}\\" id: \\"${id}\\"" -m multiport --dports ${port} -j ${chain}`;

function save(nets: Array<[string, string, string, number]>): string {
  return [
    '*nat',
    ':PREROUTING ACCEPT [0:0]',
    ':OUTPUT ACCEPT [0:0]',
    ':POSTROUTING ACCEPT [0:0]',
    ...nets.map(([, , chain]) => `:${chain} - [0:0]`),
    ':CNI-HOSTPORT-DNAT - [0:0]',
    ':CNI-HOSTPORT-MASQ - [0:0]',
    ':CNI-HOSTPORT-SETMARK - [0:0]',
    '-A PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
    '-A OUTPUT -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT',
    '-A POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ',
    '-A POSTROUTING -s 10.42.0.0/24 ! -d 10.42.0.0/16 -j MASQUERADE',
    ...nets.map(([, , chain, port]) => `-A ${chain} -p tcp -m tcp --dport ${port} -j DNAT --to-destination 10.88.1.2:80`),
    ...nets.map(([net, id, chain, port]) => dnat(net, id, chain, port)),
    '-A CNI-HOSTPORT-MASQ -m mark --mark 0x2000/0x2000 -j MASQUERADE',
    '-A CNI-HOSTPORT-SETMARK -m comment --comment "CNI portfwd masquerade mark" -j MARK --set-xmark 0x2000/0x2000',
    'COMMIT',
    '',
  ].join('\n');
}

describe('iptablesCleanupScripts', () => {
  const ours: [string, string, string, number] = ['skiff-ta', 'a'.repeat(64), 'CNI-DN-aaaa', 30001];
  const theirs: [string, string, string, number] = ['skiff-tb', 'b'.repeat(64), 'CNI-DN-bbbb', 30002];

  it("deletes only this network's DNAT rules and chains while another network still uses the shared chains", () => {
    const scripts = iptablesCleanupScripts(save([ours, theirs]), 'nat', 'skiff-ta', true);
    assert.deepEqual(scripts, [
      `*nat\n-D ${dnat(...ours).slice(3)}\n-F CNI-DN-aaaa\nCOMMIT\n`,
      '*nat\n-X CNI-DN-aaaa\nCOMMIT\n',
    ]);
  });

  it('also removes the shared CNI-HOSTPORT chains and their jumps when it was the last user, chains in a second batch', () => {
    const [rules, chains] = iptablesCleanupScripts(save([ours]), 'nat', 'skiff-ta', true);
    assert.ok(rules && chains);
    assert.match(rules, /^-D PREROUTING -m addrtype --dst-type LOCAL -j CNI-HOSTPORT-DNAT$/m);
    assert.match(rules, /^-D POSTROUTING -m comment --comment "CNI portfwd requiring masquerade" -j CNI-HOSTPORT-MASQ$/m);
    assert.doesNotMatch(rules, /-X /);
    assert.doesNotMatch(rules, /MASQUERADE\n|-s 10\.42\.0\.0\/24/, "the agent's own masquerade rule stays");
    assert.equal(chains, '*nat\n-X CNI-DN-aaaa\n-X CNI-HOSTPORT-DNAT\n-X CNI-HOSTPORT-SETMARK\n-X CNI-HOSTPORT-MASQ\nCOMMIT\n');
  });

  it("with a network name other agents share, deletes only the rules of this instance's containers", () => {
    const mine: [string, string, string, number] = ['skiff', 'c'.repeat(64), 'CNI-DN-cccc', 30003];
    const another: [string, string, string, number] = ['skiff', 'd'.repeat(64), 'CNI-DN-dddd', 30004];
    const scripts = iptablesCleanupScripts(save([mine, another]), 'nat', 'skiff', false, new Set(['c'.repeat(64)]));
    assert.deepEqual(scripts, [`*nat\n-D ${dnat(...mine).slice(3)}\n-F CNI-DN-cccc\nCOMMIT\n`, '*nat\n-X CNI-DN-cccc\nCOMMIT\n']);
  });

  it('keeps the shared chains when asked to', () => {
    const scripts = iptablesCleanupScripts(save([ours]), 'nat', 'skiff-ta', false);
    assert.ok(scripts.every((s) => !s.includes('CNI-HOSTPORT-DNAT\n') && !s.includes('-X CNI-HOSTPORT')));
  });

  it('does nothing for a network without rules (a name that is a prefix of another does not match)', () => {
    assert.deepEqual(iptablesCleanupScripts(save([theirs]), 'nat', 'skiff-t', true), []);
    assert.deepEqual(iptablesCleanupScripts(save([theirs]), 'filter', 'skiff-ta', true), []);
  });
});

describe('mountsUnder', () => {
  it('lists mount points at or under a dir, deepest first, unescaping octal escapes', () => {
    const info = [
      '22 1 0:21 / / rw - ext4 /dev/vda rw',
      '90 22 0:50 / /tmp/x/state/netns/cni-12345 rw - nsfs nsfs rw',
      '91 22 0:51 / /tmp/x/state/a\\040b/rootfs rw - overlay overlay rw',
      '92 22 0:52 / /tmp/xy/other rw - tmpfs tmpfs rw',
      '93 22 0:53 / /tmp/x rw - tmpfs tmpfs rw',
    ].join('\n');
    assert.deepEqual(mountsUnder('/tmp/x', info), ['/tmp/x/state/netns/cni-12345', '/tmp/x/state/a b/rootfs', '/tmp/x']);
  });
});
