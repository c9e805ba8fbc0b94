/**
 * The offline region list (lib/config/regions.ts) against the region facts shipped in node_modules: aws-cdk-lib's
 * RegionInfo and the AWS SDK's partition metadata. lib/config must not load either at run time (start-up cost), so
 * they are only compared here: a new commercial region in an upgraded library fails this test until it is added.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { DEFAULT_ENABLED_REGIONS, KNOWN_REGIONS, OPT_IN_REGIONS, OTHER_PARTITIONS, regionProblem } from '../../lib/config/regions';

/**
 * Commercial-partition names the libraries know that breakglass deliberately does not accept. Empty today; an entry
 * needs a reason (e.g. a region announced in a library before AWS opened it).
 */
const EXCLUDED: Record<string, string> = {};

describe('offline region list', () => {
  it('default-enabled and opt-in regions do not overlap, and together are the known list', () => {
    const both = DEFAULT_ENABLED_REGIONS.filter((r) => (OPT_IN_REGIONS as readonly string[]).includes(r));
    assert.deepEqual(both, []);
    assert.equal(KNOWN_REGIONS.length, DEFAULT_ENABLED_REGIONS.length + OPT_IN_REGIONS.length);
  });

  it('every commercial region aws-cdk-lib knows is known here (or excluded with a reason); every other one is refused by partition', () => {
    const { RegionInfo } = require('aws-cdk-lib/region-info') as typeof import('aws-cdk-lib/region-info');
    const missing: string[] = [];
    for (const r of RegionInfo.regions) {
      if (r.partition === 'aws') {
        if (!KNOWN_REGIONS.includes(r.name) && !(r.name in EXCLUDED)) missing.push(r.name);
      } else {
        const p = OTHER_PARTITIONS.find((o) => r.name.startsWith(o.prefix));
        assert.equal(p?.partition, r.partition, `${r.name} (${r.partition}) needs an OTHER_PARTITIONS entry`);
        assert.match(regionProblem(r.name) ?? '', new RegExp(`in the ${r.partition} partition`));
      }
    }
    assert.deepEqual(missing, [], 'add these to lib/config/regions.ts (OPT_IN_REGIONS if launched after 2019-03-20)');
  });

  it('the AWS SDK region metadata agrees: every region here is a real aws-partition region, none is missing', async (t) => {
    // The SDK keeps its partition table in a file that its package does not export; skip visibly if it moved.
    const file = join(dirname(require.resolve('@aws-sdk/core/package.json')), 'dist-es', 'submodules', 'client', 'util-endpoints', 'lib', 'aws', 'partitions.js');
    if (!existsSync(file)) { t.skip(`AWS SDK partition table not found at ${file}`); return; }
    const { partitionsInfo } = await import(file) as { partitionsInfo: { partitions: Array<{ id: string; regions: Record<string, unknown> }> } };
    const sdk = Object.keys(partitionsInfo.partitions.find((p) => p.id === 'aws')!.regions).filter((r) => !r.endsWith('-global'));
    assert.deepEqual([...KNOWN_REGIONS].filter((r) => !sdk.includes(r)), [], 'regions here that the SDK does not know');
    assert.deepEqual(sdk.filter((r) => !KNOWN_REGIONS.includes(r) && !(r in EXCLUDED)), [], 'SDK regions missing here');
  });

  it('lib/config loads neither aws-cdk-lib nor the AWS SDK (validate stays fast to start)', () => {
    const probe = "require('./lib/config/load'); console.log(Object.keys(require.cache).filter((k) => /node_modules[\\/](aws-cdk-lib|@aws-sdk)[\\/]/.test(k)).length)";
    const r = spawnSync(process.execPath, ['--import', 'tsx', '-e', probe], { cwd: join(__dirname, '..', '..'), encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout.trim(), '0');
  });
});
