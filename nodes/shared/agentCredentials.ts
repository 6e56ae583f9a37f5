import type { INodeCredentialDescription } from 'n8n-workflow';

import { ollamaCredentialDescriptions } from './ollamaCredentials';
import { redisCredentialDescriptions } from './redisConnection';

/** Agents that work on a stored project need a model (Ollama) and the project store (Redis). */
export const agentCredentialDescriptions: INodeCredentialDescription[] = [...ollamaCredentialDescriptions, ...redisCredentialDescriptions];
