/** Every doctor check, in report order. */
import type { Check } from '../types';
import { credentialsCheck } from './identity';
import { RULE_CHECKS } from './rules';
import { scpCheck } from './scp';
import { SEAL_CHECKS } from './seal';
import { stackSetCheck } from './stackset';
import { TOPIC_CHECKS } from './topic';
import { trailCheck } from './trail';
import { USER_CHECKS } from './users';

export const CHECKS: readonly Check[] = [credentialsCheck, ...USER_CHECKS, ...SEAL_CHECKS, stackSetCheck, ...RULE_CHECKS, ...TOPIC_CHECKS, trailCheck, scpCheck];
