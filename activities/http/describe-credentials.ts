import type { AuthConfig, SecretRef } from '../../config/source.ts';

/** Where a secret comes from, by name only: "secret 'github-token'" or "environment variable GITHUB_TOKEN". */
export function describeSecretRef(ref: SecretRef): string {
  if (ref.env !== undefined) return `environment variable ${ref.env}`;
  return ref.key === undefined ? `secret '${ref.secret}'` : `secret '${ref.secret}' key '${ref.key}'`;
}

/** What an operator should check after a 401 or 403, completing "check ...". */
export function describeCredentials(auth: AuthConfig): string {
  switch (auth.type) {
    case 'none':
      return "whether the API needs credentials (the source's auth is 'none')";
    case 'api-key':
      return `the API key in auth (${auth.in} '${auth.name}', ${describeSecretRef(auth.value)})`;
    case 'bearer':
      return `the bearer token in auth (${describeSecretRef(auth.token)})`;
    case 'basic':
      return `the username and password in auth (password from ${describeSecretRef(auth.password)})`;
    case 'oauth2-client-credentials':
      return `the OAuth2 client credentials and scopes in auth (clientSecret from ${describeSecretRef(auth.clientSecret)})`;
  }
}
