/**
 * The app with the guardrail SCP enabled through cdk-nag (AwsSolutions), aws-cdk-lib's own CloudFormation
 * validation and cfn-lint, with the shared helpers. The other configs are covered by test/stacks/validation.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { stackIds } from '../../lib/stacks/names';
import { cfnLintVersion, formatCfnLint, runCfnLint } from '../helpers/cfn-lint';
import { formatFindings, type NagRun, nagSynth } from '../helpers/nag';
import { exampleWith } from '../helpers/config';

let run: NagRun;
before(() => {
  run = nagSynth(exampleWith((c) => {
    c.guardrails = { serviceControlPolicy: { enabled: true, targets: ['r-ab12', '444444444444'] } };
  }));
});
after(() => run?.cleanup());

const guardrailsTemplate = () => {
  const f = run.templateFiles.filter((x) => x.endsWith(`/${stackIds.guardrails}.template.json`));
  assert.equal(f.length, 1, 'the guardrails stack was synthesized and checked');
  return f[0]!;
};

test('cdk-nag and CloudFormation validation: no finding in the guardrails stack, none acknowledged there', () => {
  guardrailsTemplate();
  const here = run.findings.filter((f) => f.path.startsWith(`${stackIds.guardrails}/`) || f.path === stackIds.guardrails);
  assert.deepEqual(here, [], formatFindings(here));
  assert.deepEqual(run.acknowledgements.filter((a) => a.path.startsWith(stackIds.guardrails)), [], 'nothing to acknowledge');
  const errors = run.findings.filter((f) => f.severity === 'error' || f.severity === 'fatal');
  assert.deepEqual(errors, [], `errors anywhere in the app with guardrails on:\n${formatFindings(errors)}`);
});

test('cfn-lint: no errors or warnings in the guardrails template', (t) => {
  const version = cfnLintVersion();
  if (!version) { t.skip('cfn-lint not installed: pip install cfn-lint (this check did not run)'); return; }
  const result = runCfnLint([guardrailsTemplate()]);
  t.diagnostic(`${version}: ${result.findings.length} findings`);
  const relevant = result.findings.filter((f) => f.level === 'Error' || f.level === 'Warning');
  assert.deepEqual(relevant, [], formatCfnLint(relevant));
});
