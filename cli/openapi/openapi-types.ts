/**
 * The parts of an OpenAPI 3.0/3.1 document the scaffolder reads, after the parser has resolved
 * every `$ref` (circular schemas stay circular objects: walk them with a depth limit).
 */
export interface SchemaObject {
  type?: string | string[];
  format?: string;
  title?: string;
  description?: string;
  properties?: Record<string, SchemaObject>;
  items?: SchemaObject;
  allOf?: SchemaObject[];
  anyOf?: SchemaObject[];
  oneOf?: SchemaObject[];
  default?: unknown;
  example?: unknown;
  enum?: unknown[];
  pattern?: string;
  maximum?: number;
}

export interface ParameterObject {
  name: string;
  in: 'query' | 'header' | 'path' | 'cookie';
  required?: boolean;
  description?: string;
  style?: string;
  schema?: SchemaObject;
  example?: unknown;
  examples?: Record<string, { value?: unknown }>;
}

export interface ResponseObject {
  headers?: Record<string, unknown>;
  content?: Record<string, { schema?: SchemaObject }>;
}

export type SecurityRequirement = Record<string, string[]>;

export interface OperationObject {
  operationId?: string;
  summary?: string;
  parameters?: ParameterObject[];
  responses?: Record<string, ResponseObject>;
  security?: SecurityRequirement[];
}

export interface PathItemObject {
  get?: OperationObject;
  parameters?: ParameterObject[];
}

export interface OAuthFlow {
  tokenUrl?: string;
  scopes?: Record<string, string>;
}

export interface SecuritySchemeObject {
  type: string;
  name?: string;
  in?: string;
  scheme?: string;
  bearerFormat?: string;
  description?: string;
  flows?: { clientCredentials?: OAuthFlow; authorizationCode?: OAuthFlow; implicit?: OAuthFlow };
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  servers?: Array<{ url: string; variables?: Record<string, { default: string }> }>;
  paths?: Record<string, PathItemObject>;
  components?: { securitySchemes?: Record<string, SecuritySchemeObject> };
  security?: SecurityRequirement[];
}
