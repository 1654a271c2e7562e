import { defineSearchAttributeKey } from '@temporalio/common';

/**
 * Custom search attributes that make runs findable in the Temporal UI and with
 * `temporal workflow list --query 'SourceId="github-issues"'`. The local stack registers them at
 * start; on another server create them once with `temporal operator search-attribute create`.
 */
export const SourceIdAttribute = defineSearchAttributeKey('SourceId', 'KEYWORD');
export const WindowKindAttribute = defineSearchAttributeKey('WindowKind', 'KEYWORD');
/** A source workflow's state: `idle`, `running`, `paused` (by an operator) or `broken` (by its circuit breaker). */
export const SourceStateAttribute = defineSearchAttributeKey('SourceState', 'KEYWORD');
/** Why a source is paused (empty when it is not). */
export const PauseReasonAttribute = defineSearchAttributeKey('PauseReason', 'TEXT');
/** A window workflow's state: `running` or `paused`. */
export const WindowStateAttribute = defineSearchAttributeKey('WindowState', 'KEYWORD');
