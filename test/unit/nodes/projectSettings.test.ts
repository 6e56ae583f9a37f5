import type { IDataObject, INodeProperties } from 'n8n-workflow';

import { projectSettingsProperty, runSettingsBody } from '../../../nodes/shared/descriptions/projectSettings';
import { schemaProblems } from '../../../runtime/contracts/schemaValidator';
import { DELIVERY_LICENSES, runSettingsSchema } from '../../../runtime/contracts/service';

// The Project Settings collection (Project State → Create, AI Company) is sent as the intake's
// `settings`; these keep it able to say everything the service's RunSettings take, within its limits.
const options = projectSettingsProperty.options as INodeProperties[];
const option = (name: string) => {
	const found = options.find((o) => o.name === name);
	if (!found) throw new Error(`no setting "${name}"`);
	return found;
};

/** A value for each setting that is not its default, as an operator would set it. */
function everySettingSet(): IDataObject {
	const set: IDataObject = {};
	for (const o of options) {
		if (o.type === 'boolean') set[o.name] = !o.default;
		else if (o.type === 'number') set[o.name] = (o.default as number) + 1;
		else if (o.type === 'options') set[o.name] = (o.options as Array<{ value: string }>).map((v) => v.value).find((v) => v !== o.default);
		else if (o.name.endsWith('Model')) set[o.name] = `${o.name.replace('Model', '')}-model:1b`;
		else if (o.name === 'githubOwner') set[o.name] = 'acme';
		else if (o.name === 'gitRemoteBase') set[o.name] = '/srv/git';
		else set[o.name] = 'https://hooks.example.com/x';
	}
	return set;
}

describe('Project Settings: the nodes send what the service takes', () => {
	it('every setting of the service can be set, and the whole collection is a valid settings body', () => {
		const body = runSettingsBody(everySettingSet());
		expect(schemaProblems(runSettingsSchema, body)).toEqual([]);
		expect(Object.keys(body).sort()).toEqual(Object.keys(runSettingsSchema.properties).sort());
		expect(Object.keys(body.models ?? {}).sort()).toEqual(Object.keys(runSettingsSchema.properties.models.properties).sort());
	});

	it('the review and packaging settings reach the body as set, false included', () => {
		expect(runSettingsBody({ review: false, reviewRounds: 3, reviewLastRejection: 'warn', reviewerModel: ' qwen2.5-coder:7b ', packaging: false, license: 'ISC' })).toEqual({
			review: false,
			reviewRounds: 3,
			reviewLastRejection: 'warn',
			models: { reviewer: 'qwen2.5-coder:7b' },
			packaging: false,
			license: 'ISC',
		});
	});

	it('a setting not added is not sent, so the service decides (review by run mode, packaging on)', () => {
		expect(runSettingsBody({})).toEqual({});
		expect(runSettingsBody({ reviewerModel: '  ' })).toEqual({});
	});

	it("shows the service's limits and choices: review rounds 1-10 (2), last rejection fail or warn, the licenses DevOps ships", () => {
		const { minimum, maximum } = runSettingsSchema.properties.reviewRounds;
		expect(option('reviewRounds')).toMatchObject({ default: 2, typeOptions: { minValue: minimum, maxValue: maximum } });
		const values = (name: string) => (option(name).options as Array<{ value: string }>).map((o) => o.value).sort();
		expect({ lastRejection: option('reviewLastRejection').default, values: values('reviewLastRejection') }).toEqual({ lastRejection: 'fail', values: [...runSettingsSchema.properties.reviewLastRejection.enum].sort() });
		expect(values('license')).toEqual([...DELIVERY_LICENSES].sort());
	});

	it('describes every setting', () => {
		for (const o of options) expect({ setting: o.name, described: (o.description ?? '').length > 10 }).toEqual({ setting: o.name, described: true });
	});
});
