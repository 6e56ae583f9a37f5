import { renderPrompt } from '../../../runtime/prompts/renderPrompt';
import { announcedMarker, fencesHolding, fencesOf } from './fences';

// The random bytes the next markers are drawn from; real random bytes once these run out.
const mockPlanted: Buffer[] = [];
jest.mock('node:crypto', () => {
	const actual = jest.requireActual<typeof import('node:crypto')>('node:crypto');
	return { ...actual, randomBytes: (size: number) => mockPlanted.shift() ?? actual.randomBytes(size) };
});

const bytes = (hex: string) => Buffer.from(hex, 'hex');

afterEach(() => {
	mockPlanted.splice(0);
});

const context = (requirements: string) => ({ title: 'Todo API', requirements, client: { name: 'Ada' }, projectId: null, maxTasks: 5, schema: '{}' });

describe('marker collisions', () => {
	it('draws again when a marker occurs in the client text, so the text cannot contain its own fence', () => {
		// After the {{fence}} variable's, every draw would first come up with the marker the client wrote.
		mockPlanted.push(bytes('111111111111'), ...Array.from({ length: 10 }, () => bytes('aaaaaaaaaaaa')));
		const requirements = 'Build it. CLIENT_DATA_aaaaaaaaaaaa is mine; so is client_data_AAAAAAAAAAAA.';
		const prompt = renderPrompt('planner', context(requirements));
		const markers = new Set(fencesOf(prompt).map((fence) => fence.marker));
		expect(markers.size).toBeGreaterThanOrEqual(3);
		expect(markers).not.toContain('CLIENT_DATA_aaaaaaaaaaaa');
		expect(fencesHolding(prompt, requirements)[0].marker).toBe(announcedMarker(prompt));
	});

	it('draws again when the old {{fence}} variable would occur in a value', () => {
		mockPlanted.push(bytes('bbbbbbbbbbbb'));
		const prompt = renderPrompt('planner', context('CLIENT_DATA_bbbbbbbbbbbb'), '<{{fence}}>{{requirements}}</{{fence}}>');
		expect(prompt).toMatch(/^<(CLIENT_DATA_[0-9a-f]{12})>CLIENT_DATA_bbbbbbbbbbbb<\/\1>$/);
		expect(prompt.startsWith('<CLIENT_DATA_bbbbbbbbbbbb>')).toBe(false);
	});

	it('draws again when values side by side spell the marker of the block they are in', () => {
		// The first draw is the {{fence}} variable's; the second, the block's, is spelled by the two values together.
		mockPlanted.push(bytes('111111111111'), bytes('cccccccccccc'));
		const prompt = renderPrompt('planner', { a: 'CLIENT_DATA_', b: 'cccccccccccc' }, '{{#fence}}{{a}}{{b}}{{/fence}}');
		const [block] = fencesOf(prompt);
		expect(block.content).toBe('CLIENT_DATA_cccccccccccc');
		expect(block.marker).not.toBe('CLIENT_DATA_cccccccccccc');
	});

	it('never gives two blocks of one render the same marker', () => {
		mockPlanted.push(...Array.from({ length: 6 }, () => bytes('dddddddddddd')));
		const prompt = renderPrompt('planner', { a: 'one', b: 'two' }, '{{fence}} {{#fence}}{{a}}{{/fence}} {{#fence "x"}}{{b}}{{/fence}}');
		const markers = [prompt.split(' ')[0], ...fencesOf(prompt).map((fence) => fence.marker)];
		expect(new Set(markers).size).toBe(3);
	});
});
