import { describe, expect, it } from 'vitest';
import { deploymentVersionOf } from '../../config/worker-deployment.ts';
import { readSettings, workerSettingsSchema } from '../../config/worker-settings.ts';

const base = { TRIBUTARY_BUCKET: 'raw-bucket' };

describe('the worker deployment version setting', () => {
  it('leaves the worker unversioned when TRIBUTARY_BUILD_ID is unset, as the local stack and tests run', () => {
    expect(deploymentVersionOf(readSettings(workerSettingsSchema, base))).toBeUndefined();
  });

  it('makes the worker the version <TRIBUTARY_DEPLOYMENT_NAME>.<TRIBUTARY_BUILD_ID>, the name defaulting to tributary', () => {
    const imageTag = { ...base, TRIBUTARY_BUILD_ID: '2026.12.03-4f1c2ab' };
    expect(deploymentVersionOf(readSettings(workerSettingsSchema, imageTag))).toEqual({
      deploymentName: 'tributary',
      buildId: '2026.12.03-4f1c2ab',
    });
    expect(
      deploymentVersionOf(
        readSettings(workerSettingsSchema, { ...imageTag, TRIBUTARY_DEPLOYMENT_NAME: 'tributary-prod' }),
      ),
    ).toEqual({ deploymentName: 'tributary-prod', buildId: '2026.12.03-4f1c2ab' });
  });

  it('refuses a deployment name with a dot, which Temporal could not tell from the build id', () => {
    expect(() =>
      readSettings(workerSettingsSchema, {
        ...base,
        TRIBUTARY_BUILD_ID: 'b1',
        TRIBUTARY_DEPLOYMENT_NAME: 'a.b',
      }),
    ).toThrow(/TRIBUTARY_DEPLOYMENT_NAME: letters, digits/);
  });
});
