import type { AuthConfig, PaginationType } from '../../config/source.ts';

/**
 * The YAML examples of the source format reference. Each is a whole source file, so a reader can
 * copy one and a unit test can validate every one of them with the project's loader.
 */
export interface CookbookEntry {
  title: string;
  /** What the API answers and why the source is written the way it is (Markdown). */
  explanation: string;
  yaml: string;
}

/** One short source per pagination style (a missing style is a type error). */
export const paginationExamples: Record<PaginationType, string> = {
  none: `id: currencies
request:
  baseUrl: https://api.example.com/v1
  path: /currencies
pagination:
  type: none               # one request per window
records:
  path: data
`,
  cursor: `id: tickets
request:
  baseUrl: https://api.example.com/v2
  path: /tickets
  query: { limit: 100 }
pagination:
  type: cursor
  tokenPath: meta.next_cursor   # {"data": [...], "meta": {"next_cursor": "b2Zm"}}
  param: cursor                 # next request: /tickets?limit=100&cursor=b2Zm
  pageSize: 100                 # a full page must carry a cursor
records:
  path: data
`,
  'next-url': `id: orders
request:
  baseUrl: https://api.example.com
  path: /orders
pagination:
  type: next-url
  nextUrlPath: links.next   # {"orders": [...], "links": {"next": "/orders?page_info=abc"}}
records:
  path: orders
`,
  'link-header': `id: issues
request:
  baseUrl: https://api.example.com
  path: /issues
  query: { per_page: 100 }
pagination:
  type: link-header        # Link: <https://api.example.com/issues?page=2>; rel="next"
  pageSize: 100
`,
  offset: `id: products
request:
  baseUrl: https://api.example.com
  path: /products
pagination:
  type: offset             # ?offset=0&limit=100, then ?offset=100&limit=100, ...
  offsetParam: offset
  limitParam: limit
  limit: 100
  totalPath: meta.total    # {"items": [...], "meta": {"total": 2500}}
records:
  path: items
`,
  'page-number': `id: invoices
request:
  baseUrl: https://api.example.com
  path: /invoices
pagination:
  type: page-number        # ?page=1&per_page=100, then ?page=2&per_page=100, ...
  pageParam: page
  pageSizeParam: per_page
  pageSize: 100
  totalPagesPath: total_pages
records:
  path: results
`,
};

/** One short source per auth type (a missing type is a type error). */
export const authExamples: Record<AuthConfig['type'], string> = {
  none: `id: public-holidays
request:
  baseUrl: https://api.example.com
  path: /holidays
auth:
  type: none
`,
  'api-key': `id: contacts
request:
  baseUrl: https://api.example.com
  path: /contacts
auth:
  type: api-key
  in: header               # or query: ?api_key=...
  name: X-Api-Key
  value: { secret: prod/example-api, key: apiKey }   # the JSON secret {"apiKey": "..."}
`,
  bearer: `id: contacts
request:
  baseUrl: https://api.example.com
  path: /contacts
auth:
  type: bearer             # Authorization: Bearer <token>
  token: { env: EXAMPLE_TOKEN }   # an environment variable of the worker (local use)
`,
  basic: `id: contacts
request:
  baseUrl: https://api.example.com
  path: /contacts
auth:
  type: basic
  username: reporting      # inline, or a secret reference
  password: { secret: prod/example-basic }
`,
  'oauth2-client-credentials': `id: contacts
request:
  baseUrl: https://api.example.com
  path: /contacts
auth:
  type: oauth2-client-credentials
  tokenUrl: https://auth.example.com/oauth/token
  clientId: { secret: prod/example-oauth, key: client_id }
  clientSecret: { secret: prod/example-oauth, key: client_secret }
  scopes: [contacts.read]
  clientAuth: basic        # or body: client_id and client_secret as form fields
`,
};

/** Common API shapes, each as a working source. */
export const cookbook: CookbookEntry[] = [
  {
    title: 'Link header (GitHub-style)',
    explanation:
      'GitHub sends the next page in the `Link` header (`<...&page=2>; rel="next"`) and no paging fields in the body, which is the array of records itself. `since` filters issues updated at or after a time.',
    yaml: `id: github-issues
request:
  baseUrl: https://api.github.com
  path: /repos/octocat/hello-world/issues
  query: { state: all, per_page: 100, sort: updated, direction: asc }
  headers: { Accept: application/vnd.github+json, X-GitHub-Api-Version: "2022-11-28" }
auth:
  type: bearer
  token: { secret: prod/github-token }
pagination:
  type: link-header
  pageSize: 100
records:
  path: $                  # the body is the array
  primaryKey: id
incremental:
  cursorField: updated_at
  param: since
rateLimit:
  requestsPerSecond: 1
`,
  },
  {
    title: '`starting_after` + `has_more` (Stripe-style)',
    explanation:
      "Stripe has no cursor in the body: the next page starts after the last record's `id`, and `has_more: false` marks the last page. `created[gte]` takes a Unix time.",
    yaml: `id: stripe-customers
request:
  baseUrl: https://api.stripe.com/v1
  path: /customers
  query: { limit: 100 }
auth:
  type: bearer
  token: { secret: prod/stripe, key: secret_key }
pagination:
  type: cursor
  lastRecordField: id      # ?starting_after=<id of the last record>
  param: starting_after
  hasMorePath: has_more
  pageSize: 100
records:
  path: data
  primaryKey: id
incremental:
  cursorField: created
  param: created[gte]
  format: unix
`,
  },
  {
    title: 'Body cursor on POST (Notion-style)',
    explanation:
      'Notion queries a database with a POST whose JSON body carries the page size and, from the second page on, `start_cursor`; the answer holds `next_cursor` (null on the last page) and `has_more`. `in: body` needs `method: POST`.',
    yaml: `id: notion-tasks
request:
  baseUrl: https://api.notion.com/v1
  path: /databases/8e2c2b76-4f4a-4b1c-9d1e-6f1c9a0b7d21/query   # your database id
  method: POST
  headers: { Notion-Version: "2022-06-28" }
  body: { page_size: 100 }
auth:
  type: bearer
  token: { secret: prod/notion-integration }
pagination:
  type: cursor
  tokenPath: next_cursor
  param: start_cursor
  in: body
  hasMorePath: has_more
  pageSize: 100
records:
  path: results
  primaryKey: id
rateLimit:
  requestsPerSecond: 3
`,
  },
  {
    title: '`startAt` + `total` (Jira-style offset)',
    explanation:
      'Jira pages with `startAt` and `maxResults` and answers the `total`. It may return fewer than `maxResults` issues on a page that is not the last, so the total, not a short page, ends the window (the offset advances by the records each page returned).',
    yaml: `id: jira-issues
request:
  baseUrl: https://jira.example.com
  path: /rest/api/2/search
  query: { jql: "project = OPS ORDER BY created ASC" }
auth:
  type: bearer             # a personal access token
  token: { secret: prod/jira-token }
pagination:
  type: offset
  offsetParam: startAt
  limitParam: maxResults
  limit: 100
  totalPath: total
  stopOnShortPage: false
records:
  path: issues
  primaryKey: id
`,
  },
  {
    title: 'Empty-string end cursor (Slack-style)',
    explanation:
      'Slack answers `"next_cursor": ""` on the last page: an empty cursor ends pagination (`emptyTokenEnds`, the default; set it to false for an API whose `""` is a real cursor). Slack reports errors with status 200 and `"ok": false`, which the check turns into a retried page.',
    yaml: `id: slack-users
request:
  baseUrl: https://slack.com/api
  path: /users.list
  query: { limit: 200 }
auth:
  type: bearer
  token: { secret: prod/slack-bot-token }
pagination:
  type: cursor
  tokenPath: response_metadata.next_cursor
  param: cursor
  emptyTokenEnds: true
records:
  path: members
  primaryKey: id
checks:
  - { path: ok, equals: true }
rateLimit:
  requestsPerSecond: 0.3
`,
  },
  {
    title: 'OAuth2 client credentials with a relative next URL (Salesforce-style)',
    explanation:
      'The token comes from the client credentials grant (cached until it expires); the answer names the next page as a path on the same host (`"nextRecordsUrl": "/services/data/v60.0/query/01g...-2000"`), resolved against the current URL, and leaves it out of the last page, hence `onAbsentPath: as-null`.',
    yaml: `id: salesforce-accounts
request:
  baseUrl: https://example.my.salesforce.com
  path: /services/data/v60.0/query
  query: { q: "SELECT Id, Name, SystemModstamp FROM Account" }
auth:
  type: oauth2-client-credentials
  tokenUrl: https://example.my.salesforce.com/services/oauth2/token
  clientId: { secret: prod/salesforce, key: client_id }
  clientSecret: { secret: prod/salesforce, key: client_secret }
  clientAuth: body
pagination:
  type: next-url
  nextUrlPath: nextRecordsUrl
  onAbsentPath: as-null
records:
  path: records
  primaryKey: Id
`,
  },
];
