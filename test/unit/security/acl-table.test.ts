/**
 * midge's ACL checker against the case table that
 * test/security/acl-mosquitto.test.ts also runs against Debian's mosquitto.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AclFile } from '../../../src/security/acl-file.js';
import { checkSpecialTopic } from '../../../src/security/special-topics.js';
import { aclScenarios, describeCase } from '../../security/acl-cases.js';

for (const scenario of aclScenarios) {
  describe(`acl table - ${scenario.name}`, () => {
    const { acl } = AclFile.parse(scenario.acl, 'acl');
    for (const c of scenario.cases) {
      test(describeCase(c), () => {
        const allowed =
          checkSpecialTopic(c.topic, c.access) && acl.check(c.client, c.topic, c.access);
        assert.equal(allowed, c.allowed);
      });
    }
  });
}
