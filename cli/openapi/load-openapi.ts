import SwaggerParser from '@apidevtools/swagger-parser';
import { CliError } from '../cli-error.ts';
import { EXIT } from '../exit-codes.ts';
import type { OpenApiDocument } from './openapi-types.ts';

/**
 * Reads an OpenAPI 3.x document (YAML or JSON, a local file) with every `$ref` resolved by
 * @apidevtools/swagger-parser. Nothing is fetched over the network.
 */
export async function loadOpenApi(file: string): Promise<OpenApiDocument> {
  let document: unknown;
  try {
    document = await SwaggerParser.dereference(file, { resolve: { http: false } });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new CliError(EXIT.failed, `cannot read OpenAPI document ${file}: ${reason}`);
  }
  const version = (document as { openapi?: unknown; swagger?: unknown }).openapi;
  if (typeof version !== 'string' || !version.startsWith('3.')) {
    const swagger = (document as { swagger?: unknown }).swagger;
    throw new CliError(
      EXIT.failed,
      `${file} is ${swagger === undefined ? 'not an OpenAPI 3.x document' : `Swagger ${String(swagger)}`}: give an OpenAPI 3.0 or 3.1 document (convert Swagger 2.0 with e.g. swagger2openapi)`,
    );
  }
  return document as OpenApiDocument;
}
