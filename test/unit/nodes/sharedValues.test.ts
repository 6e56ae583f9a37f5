import { ENDED_STATUSES } from '../../../nodes/AiCompany/executeAiCompany';
import { SIGNATURE_HEADER as NODE_SIGNATURE_HEADER, TIMESTAMP_HEADER as NODE_TIMESTAMP_HEADER } from '../../../nodes/AiCompanyTrigger/verifyDelivery';
import { runEnded } from '../../../runtime/driver/continueProject';
import { PROJECT_STATUSES, type Project } from '../../../runtime/contracts/project';
import { SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../../runtime/webhooks/signature';

// The compiled nodes may require only n8n-workflow, crypto and packed files, so the few values they
// share with the service at run time are written in the nodes again; this keeps each copy equal.

describe('values the nodes share with the service', () => {
	it('the AI Company node waits for the statuses a run ends in', () => {
		const ended = PROJECT_STATUSES.filter((status) => runEnded({ status } as Project));
		expect([...ENDED_STATUSES].sort()).toEqual([...ended].sort());
	});

	it('the trigger reads the headers the service signs its deliveries with', () => {
		expect({ timestamp: NODE_TIMESTAMP_HEADER, signature: NODE_SIGNATURE_HEADER }).toEqual({ timestamp: TIMESTAMP_HEADER, signature: SIGNATURE_HEADER });
	});
});
