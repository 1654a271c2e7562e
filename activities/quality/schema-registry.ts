import {
  AlreadyExistsException,
  CreateRegistryCommand,
  CreateSchemaCommand,
  EntityNotFoundException,
  type GlueClient,
  RegisterSchemaVersionCommand,
} from '@aws-sdk/client-glue';
import type { RegisteredSchema } from '../../contracts/quality.ts';

/**
 * Registers a window's record shape as a version of a JSON schema in the Glue Schema Registry,
 * creating the registry and the schema (compatibility BACKWARD) on first use. The same definition
 * again returns its existing version, so a retried window adds nothing.
 */
export async function registerSchemaVersion(
  glue: GlueClient,
  target: { registry: string; schemaName: string },
  definition: Record<string, unknown>,
): Promise<RegisteredSchema> {
  const text = JSON.stringify(definition);
  try {
    await glue.send(new CreateRegistryCommand({ RegistryName: target.registry }));
  } catch (error) {
    if (!(error instanceof AlreadyExistsException)) throw error;
  }
  try {
    const version = await glue.send(
      new RegisterSchemaVersionCommand({
        SchemaId: { RegistryName: target.registry, SchemaName: target.schemaName },
        SchemaDefinition: text,
      }),
    );
    return { ...target, versionNumber: version.VersionNumber ?? 0, versionId: version.SchemaVersionId ?? '' };
  } catch (error) {
    if (!(error instanceof EntityNotFoundException)) throw error;
  }
  const created = await glue.send(
    new CreateSchemaCommand({
      RegistryId: { RegistryName: target.registry },
      SchemaName: target.schemaName,
      DataFormat: 'JSON',
      Compatibility: 'BACKWARD',
      SchemaDefinition: text,
    }),
  );
  return { ...target, versionNumber: 1, versionId: created.SchemaVersionId ?? '' };
}
