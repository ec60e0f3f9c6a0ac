import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseTokenFile, TokenFileError } from './token-file.js';

describe('parseTokenFile', () => {
  test('a record with quoted groups yields the user, uid and every group', () => {
    const t = parseTokenFile('admin-token,admin,admin-uid,"system:masters,devs"\n');
    assert.deepEqual(t.get('admin-token'), { name: 'admin', uid: 'admin-uid', groups: ['system:masters', 'devs'] });
  });

  test('groups without quotes are a single group, and three columns mean no groups', () => {
    const t = parseTokenFile('t1,alice,1,devs\nt2,bob,2\n');
    assert.deepEqual(t.get('t1'), { name: 'alice', uid: '1', groups: ['devs'] });
    assert.deepEqual(t.get('t2'), { name: 'bob', uid: '2', groups: [] });
  });

  test('blank lines, comment lines, CRLF line ends and leading spaces are tolerated', () => {
    const t = parseTokenFile('# tokens\r\n\r\n  t1, alice, 1, "a,b"\r\n');
    assert.deepEqual(t.get('t1'), { name: 'alice', uid: '1', groups: ['a', 'b'] });
    assert.equal(t.size, 1);
  });

  test('doubled quotes inside a quoted field are a literal quote', () => {
    const t = parseTokenFile('"to""ken",u,1\n');
    assert.equal(t.get('to"ken')?.name, 'u');
  });

  test('a record with an empty token is skipped and an empty uid is omitted', () => {
    const t = parseTokenFile(',ghost,1\nt,user,\n');
    assert.equal(t.size, 1);
    assert.deepEqual(t.get('t'), { name: 'user', groups: [] });
  });

  test('a later duplicate token replaces the earlier one', () => {
    const t = parseTokenFile('t,first,1\nt,second,2\n');
    assert.equal(t.get('t')?.name, 'second');
  });

  test('fewer than three columns fails with the line number', () => {
    assert.throws(() => parseTokenFile('ok,u,1\nbad,u\n'), (e: unknown) => e instanceof TokenFileError && /line 2: must have at least 3 columns/.test(e.message));
  });

  test('an unterminated quote fails', () => {
    assert.throws(() => parseTokenFile('t,u,1,"a,b\n'), TokenFileError);
  });
});
