import type { JSONSchemaType } from 'ajv';

import type { ProducedFile } from './project';

/** The developer's reply: the files it writes or rewrites for one task, whole. */
export interface DeveloperReply {
	summary: string;
	files: ProducedFile[];
}

/** The tester's reply: test files for one task, whole. */
export interface TesterReply {
	summary: string;
	testFiles: ProducedFile[];
}

const fileSchema: JSONSchemaType<ProducedFile> = {
	type: 'object',
	properties: { path: { type: 'string', minLength: 1 }, content: { type: 'string' } },
	required: ['path', 'content'],
};

export const developerReplySchema: JSONSchemaType<DeveloperReply> = {
	type: 'object',
	properties: {
		summary: { type: 'string', minLength: 1 },
		files: { type: 'array', items: fileSchema, minItems: 1 },
	},
	required: ['summary', 'files'],
};

export const testerReplySchema: JSONSchemaType<TesterReply> = {
	type: 'object',
	properties: {
		summary: { type: 'string', minLength: 1 },
		testFiles: { type: 'array', items: fileSchema, minItems: 1 },
	},
	required: ['summary', 'testFiles'],
};
