import Ajv from 'ajv';

import { errorHandler } from '../../../runtime/api/errorReplies';
import { runSettingsSchema } from '../../../runtime/contracts/service';

// A value outside an enum (settings.license "GPL-3.0") is answered 400 naming the field and the
// values it takes, from ajv's own complaint as the API's validator gives it.

function answerTo(settings: Record<string, unknown>): { status: number; body: Record<string, unknown> } {
	const validate = new Ajv({ allErrors: false, strict: false }).compile(runSettingsSchema);
	expect(validate(settings)).toBe(false);
	const issues = validate.errors!.map((e) => ({ ...e, instancePath: `/settings${e.instancePath}` }));
	let answer = { status: 0, body: {} as Record<string, unknown> };
	const reply = {
		code(status: number) {
			answer.status = status;
			return { send: (body: Record<string, unknown>) => (answer = { ...answer, body }) };
		},
	};
	errorHandler(Object.assign(new Error('invalid'), { validation: issues }) as never, {} as never, reply as never);
	return answer;
}

describe('an enum setting refused', () => {
	it('settings.license: 400 naming the field and listing the allowed ids', () => {
		expect(answerTo({ license: 'GPL-3.0' })).toEqual({ status: 400, body: { error: 'invalid_input', field: 'settings.license', message: 'settings.license: must be one of "MIT", "ISC", "BSD-2-Clause"' } });
	});

	it('settings.reviewLastRejection too', () => {
		expect(answerTo({ reviewLastRejection: 'maybe' }).body.message).toBe('settings.reviewLastRejection: must be one of "fail", "warn"');
	});
});
