import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Custom search attributes that make runs findable in the Temporal UI and with
 * `temporal workflow list --query 'SourceId="github-issues"'`. The local stack registers them at
 * start; on another server create them once with `temporal operator search-attribute create`.
 */
export const SourceIdAttribute = defineSearchAttributeKey('SourceId', 'KEYWORD');
export const WindowKindAttribute = defineSearchAttributeKey('WindowKind', 'KEYWORD');
