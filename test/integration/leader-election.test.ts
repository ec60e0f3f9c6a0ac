/**
 * Two `skiff server` processes on one etcd: only the holder of the
 * kube-controller-manager (and kube-scheduler) Lease runs controllers, and
 * killing it with SIGKILL hands the Lease over within the lease duration
 * (plus one retry period, the candidate's polling interval).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { join } from 'node:path';
import { startEtcd, type EtcdInstance } from '../helpers/etcd.js';
import { eventually, Kubectl } from '../helpers/kubectl.js';
import { startSkiff, type SkiffHandle } from '../helpers/skiff.js';
import { tempDir } from '../helpers/temp-dir.js';

const LEASE_S = 6;
const RETRY_S = 1;
const electionFlags = ['--leader-elect-lease-duration', `${LEASE_S}s`, '--leader-elect-renew-deadline', '4s', '--leader-elect-retry-period', `${RETRY_S}s`];

const becameLeader = (logs: string, lease: string): boolean => new RegExp(`leader election ${lease}: \\S+ became leader`).test(logs);

describe('leader election between two servers on one etcd', () => {
  const home = tempDir('skiff-le-home-');
  let etcd: EtcdInstance;
  let a: SkiffHandle;
  let b: SkiffHandle;

  before(async () => {
    etcd = await startEtcd();
    const datastore = `etcd://${etcd.endpoint}`;
    a = await startSkiff({ datastore, extraArgs: electionFlags });
    b = await startSkiff({ datastore, extraArgs: electionFlags });
  });

  after(async () => {
    await a?.stop();
    await b?.stop();
    await etcd?.stop();
    home.remove();
  });

  it('runs the controllers in exactly one server and hands over within the lease duration when it is killed', async () => {
    const kubectl = (s: SkiffHandle): Kubectl => new Kubectl('1.32', s.kubeconfig, join(home.path, s === a ? 'a' : 'b'));
    await eventually(() => becameLeader(a.logs(), 'kube-controller-manager') || becameLeader(b.logs(), 'kube-controller-manager'), 20_000, 'a leader');
    // Give the loser several retry periods to (wrongly) acquire too.
    await new Promise((r) => setTimeout(r, 3 * RETRY_S * 1000));
    const leaders = [a, b].filter((s) => becameLeader(s.logs(), 'kube-controller-manager'));
    assert.equal(leaders.length, 1, 'exactly one server leads the controllers');
    const leader = leaders[0]!;
    const follower = leader === a ? b : a;

    const lease = JSON.parse(await kubectl(follower).ok(['get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'json'])) as {
      spec: { holderIdentity: string; leaseDurationSeconds: number; leaseTransitions: number };
    };
    assert.equal(lease.spec.leaseDurationSeconds, LEASE_S);
    assert.match(leader.logs(), new RegExp(`${lease.spec.holderIdentity} became leader`));
    await kubectl(follower).ok(['get', 'lease', '-n', 'kube-system', 'kube-scheduler']);

    const killedAt = Date.now();
    await leader.kill();
    await eventually(() => becameLeader(follower.logs(), 'kube-controller-manager'), (LEASE_S + 2 * RETRY_S) * 1000 + 5000, 'handover');
    const handoverMs = Date.now() - killedAt;
    assert.ok(handoverMs <= (LEASE_S + RETRY_S) * 1000 + 500, `handover took ${handoverMs} ms`);

    const after = JSON.parse(await kubectl(follower).ok(['get', 'lease', '-n', 'kube-system', 'kube-controller-manager', '-o', 'json'])) as typeof lease;
    assert.notEqual(after.spec.holderIdentity, lease.spec.holderIdentity);
    assert.equal(after.spec.leaseTransitions, lease.spec.leaseTransitions + 1);
    await leader.start();
  });
});
