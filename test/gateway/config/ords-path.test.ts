// A database's alias on ORDS's path shape: derived from its ORDS URL's database and schema segments, or configured;
// a URL without a schema segment has none unless configured.
import { describe, expect, it } from 'vitest';

import { parseConfig } from '../../../src/gateway/config/load.js';
import { derivedOrdsPath } from '../../../src/gateway/config/ords-path.js';
import { ENV, minimalConfig, setAt, toYaml } from './fixtures.js';

describe('derivedOrdsPath', () => {
  it.each([
    ['http://127.0.0.1:8181/ords/orcl/pdbadmin/', 'orcl/pdbadmin'],
    ['https://db.example.com/ords/ORCLPDB1/hr_admin/', 'ORCLPDB1/hr_admin'],
    ['https://db.example.com/proxy/ords/orcl/pdbadmin/', 'orcl/pdbadmin'],
    ['https://db.example.com/ords/pdbdba/', null], // one segment after the context root: the schema alias only
    ['https://db.example.com/ords/', null],
    ['https://db.example.com/ords/orcl/pdb%20admin/', null], // not a segment a script could write unencoded
    ['not a url', null],
  ])('%s → %s', (url, alias) => {
    expect(derivedOrdsPath(url)).toBe(alias);
  });
});

describe('databases.<name>.ords_path at load', () => {
  const load = (edit: (c: Record<string, unknown>) => void) => {
    const tree = minimalConfig();
    edit(tree);
    return parseConfig(toYaml(tree), ENV);
  };

  it('is derived from the URL by default', () => {
    expect(load(() => {}).databases.orcl!.ordsPath).toBe('orcl/pdbadmin');
  });

  it('is the configured alias when set, for a URL with or without a schema segment', () => {
    expect(load((c) => setAt(c, 'databases.orcl.ords_path', 'prod/hr')).databases.orcl!.ordsPath).toBe('prod/hr');
    const schemaOnly = load((c) => setAt(c, 'databases.orcl.url', 'http://127.0.0.1:8181/ords/pdbdba/'));
    expect(schemaOnly.databases.orcl!.ordsPath).toBeNull();
    const configured = load((c) => {
      setAt(c, 'databases.orcl.url', 'http://127.0.0.1:8181/ords/pdbdba/');
      setAt(c, 'databases.orcl.ords_path', 'orcl/pdbdba');
    });
    expect(configured.databases.orcl!.ordsPath).toBe('orcl/pdbdba');
  });
});
