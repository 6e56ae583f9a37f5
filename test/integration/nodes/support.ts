import type { ICredentialDataDecryptedObject, IDataObject, INodeType } from 'n8n-workflow';

import { ServiceHarness } from '../service/support';
import { runNode, type NodeRun, type SentRequest } from '../../support/nodeExecution';
import type { RuntimeProcess } from '../../support/runtimeProcess';

export const API_TOKEN = 'nodes-test-token';

/** One test file's service (a real runtime process with a token) and the nodes' credential for it. */
export class NodesHarness extends ServiceHarness {
	service!: RuntimeProcess;

	async startService(extra: Record<string, string> = {}): Promise<void> {
		await this.setUp();
		this.service = await this.start({ API_TOKEN, ...extra });
	}

	credentials(overrides: ICredentialDataDecryptedObject = {}): Record<string, ICredentialDataDecryptedObject> {
		return { aiCompanyApi: { baseUrl: this.service.url!, apiToken: API_TOKEN, ...overrides } };
	}

	/** A request to the service with the token, for what a test checks behind the nodes' backs. */
	api<T = Record<string, any>>(method: string, path: string, body?: unknown): Promise<{ status: number; body: T }> {
		return this.service.request<T>(method, path, body, { authorization: `Bearer ${API_TOKEN}` });
	}

	/** Runs a node against this service; the output items' JSON (first output). */
	async run(node: INodeType, parameters: NodeRun['parameters'], items: IDataObject[] = [{}], extra: Partial<NodeRun> = {}, sent: SentRequest[] = []): Promise<IDataObject[]> {
		const [output] = await runNode(node, { parameters, items, credentials: this.credentials(), ...extra }, sent);
		return output.map((item) => item.json);
	}
}
