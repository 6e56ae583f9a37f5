// The service's HTTP body types beside their JSON schemas (runtime/contracts/service.ts, webhooks.ts),
// checked against each other by the compiler: every field of a type is a property of its schema and
// the other way round, and what a type requires its schema requires. serviceSchemas.test.ts compiles
// this file, and validates one sample of each body (every field given) against its schema.

import {
	developBodySchema,
	eventBodySchema,
	llmOptionsSchema,
	planBodySchema,
	projectIntakeBodySchema,
	publishBodySchema,
	reportBodySchema,
	reviewBodySchema,
	runSettingsSchema,
	statusBodySchema,
	testBodySchema,
	type DevelopBody,
	type EventBody,
	type LlmJobOptions,
	type PlanBody,
	type ProjectIntakeBody,
	type PublishBody,
	type ReportBody,
	type ReviewBody,
	type RunSettings,
	type StatusBody,
	type TestBody,
} from '../../../runtime/contracts/service';
import { webhookBodySchema, type WebhookBody } from '../../../runtime/contracts/webhooks';
import { approvalBodySchema, type ApprovalBody } from '../../../runtime/contracts/approval';

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
type RequiredKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? never : K }[keyof T];
type SchemaKeys<S> = S extends { properties: infer P } ? keyof P : never;
type SchemaRequired<S> = S extends { required: readonly (infer R)[] } ? R : never;

/** true only when the type's fields are the schema's properties and the required ones the same. */
type Agrees<T, S> = [Equal<keyof T, SchemaKeys<S>>, Equal<RequiredKeys<T>, SchemaRequired<S>>] extends [true, true] ? true : false;

export const agreement: Record<string, true> = {
	RunSettings: true satisfies Agrees<RunSettings, typeof runSettingsSchema>,
	ProjectIntakeBody: true satisfies Agrees<ProjectIntakeBody, typeof projectIntakeBodySchema>,
	LlmJobOptions: true satisfies Agrees<LlmJobOptions, typeof llmOptionsSchema>,
	PlanBody: true satisfies Agrees<PlanBody, typeof planBodySchema>,
	DevelopBody: true satisfies Agrees<DevelopBody, typeof developBodySchema>,
	TestBody: true satisfies Agrees<TestBody, typeof testBodySchema>,
	ReportBody: true satisfies Agrees<ReportBody, typeof reportBodySchema>,
	ReviewBody: true satisfies Agrees<ReviewBody, typeof reviewBodySchema>,
	PublishBody: true satisfies Agrees<PublishBody, typeof publishBodySchema>,
	StatusBody: true satisfies Agrees<StatusBody, typeof statusBodySchema>,
	EventBody: true satisfies Agrees<EventBody, typeof eventBodySchema>,
	WebhookBody: true satisfies Agrees<WebhookBody, typeof webhookBodySchema>,
	ApprovalBody: true satisfies Agrees<ApprovalBody, typeof approvalBodySchema>,
};

const settings: Required<RunSettings> = {
	models: { planner: 'llama3.2:3b', developer: 'qwen2.5-coder:7b', tester: 'qwen2.5-coder:7b', reviewer: 'qwen2.5-coder:7b', escalation: 'openai:gpt-4o' },
	escalateAfterAttempts: 2,
	review: true,
	reviewRounds: 2,
	reviewLastRejection: 'warn',
	maxFixAttempts: 3,
	maxPlanTasks: 12,
	gitRemoteBase: '/srv/git',
	github: { owner: 'acme', repo: 'todo-api', private: true },
	deployHookUrl: 'https://deploy.example.com/hook',
	callbackUrl: 'https://n8n.example.com/webhook-waiting/1',
	packaging: true,
	license: 'MIT',
	approval: 'plan',
};
const llm: Required<LlmJobOptions> = { temperature: 0.2, contextSize: 8192, keepAlive: '5m', maxTokens: -1, seed: 0, maxRepairAttempts: 2, maxRetries: 2, timeoutSeconds: 900 };
const step = { model: 'qwen2.5-coder:7b', llm, promptTemplate: 'Build {{requirements}}', callbackUrl: 'https://n8n.example.com/webhook-waiting/2' };

/** One body of each shape, every field given, typed as its contract type: the test validates each against its schema. */
export const samples: { name: string; schema: object; body: object }[] = [
	{ name: 'RunSettings', schema: runSettingsSchema, body: settings },
	{ name: 'ApprovalBody', schema: approvalBodySchema, body: { decision: 'request_changes', comment: 'Add a CSV export.' } satisfies Required<ApprovalBody> },
	{
		name: 'ProjectIntakeBody',
		schema: projectIntakeBodySchema,
		body: { title: 'Todo API', requirements: 'A todo API', clientName: 'Ada', clientEmail: 'ada@example.com', idempotencyKey: 'k-1', settings, start: true } satisfies Required<ProjectIntakeBody>,
	},
	{ name: 'LlmJobOptions', schema: llmOptionsSchema, body: llm },
	{ name: 'PlanBody', schema: planBodySchema, body: { ...step, maxTasks: 12 } satisfies Required<PlanBody> },
	{ name: 'DevelopBody', schema: developBodySchema, body: { ...step, mode: 'fix', contextTokens: 4096 } satisfies Required<DevelopBody> },
	{
		name: 'TestBody',
		schema: testBodySchema,
		body: { ...step, regenerateTests: true, testCommand: 'npm test', testTimeoutSeconds: 120, maxOutputKb: 256 } satisfies Required<TestBody>,
	},
	{ name: 'ReportBody', schema: reportBodySchema, body: step satisfies Required<ReportBody> },
	{ name: 'ReviewBody', schema: reviewBodySchema, body: step satisfies Required<ReviewBody> },
	{ name: 'PublishBody', schema: publishBodySchema, body: { branch: 'main', callbackUrl: step.callbackUrl } satisfies Required<PublishBody> },
	{ name: 'StatusBody', schema: statusBodySchema, body: { status: 'on_hold', reason: 'client asked', expectedVersion: 3 } satisfies Required<StatusBody> },
	{ name: 'EventBody', schema: eventBodySchema, body: { type: 'client.note', message: 'hello', data: { a: 1 } } satisfies Required<EventBody> },
	{
		name: 'WebhookBody',
		schema: webhookBodySchema,
		body: { url: 'https://n8n.example.com/webhook/1', events: ['project.completed'], projectId: 'p1', secret: 'a-secret-of-16-chars' } satisfies Required<WebhookBody>,
	},
];

