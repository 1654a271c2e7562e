/** What a window's checks report: counts, keys and schema paths, never records. */

/** A change of a source's record shape between two windows. */
export interface SchemaDrift {
  previousWindowKey: string;
  /** Field paths such as `nested.owner.login` or `comments[].body`, at most 50 of each. */
  added: string[];
  removed: string[];
  changed: Array<{ path: string; from: string; to: string }>;
}

/** A version in the Glue Schema Registry (when the source asks for `records.schemaRegistry`). */
export interface RegisteredSchema {
  registry: string;
  schemaName: string;
  versionNumber: number;
  versionId: string;
}

export interface WindowQuality {
  /** Records that failed `records.schema`, moved to the quarantine objects. */
  invalidRecords: number;
  /** `page-000001.quarantine.jsonl.gz` beside each page that had invalid records. */
  quarantineKeys: string[];
  /** sha256 (first 16 hex) of the sorted `path: types` list. */
  schemaFingerprint: string;
  fieldCount: number;
  /** Present when the shape differs from the previous window's. */
  schemaDrift?: SchemaDrift;
  schemaVersion?: RegisteredSchema;
}

export interface CheckWindowResult extends WindowQuality {
  /** The fingerprint's `path: types` list, for the manifest only (not kept in workflow state). */
  schemaFields: string[];
}
