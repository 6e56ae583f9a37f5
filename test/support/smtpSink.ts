import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** One message as the sink received it: the envelope, the headers (names lower-cased) and the decoded text body. */
export interface SinkMessage {
	from: string;
	to: string[];
	headers: Record<string, string>;
	subject: string;
	/** The body with its transfer encoding (quoted-printable, base64) undone, lines ending in \n. */
	text: string;
	/** The message as sent over DATA, dot-stuffing undone. */
	raw: string;
}

/**
 * A real SMTP server on loopback that accepts every message and keeps it, speaking just what a
 * mail client (nodemailer, n8n's Send Email) needs: 220 greeting, EHLO/HELO 250, MAIL/RCPT 250,
 * DATA 354 … `.` 250, RSET/NOOP 250, QUIT 221. No STARTTLS, no AUTH, no PIPELINING advertised.
 */
export class SmtpSink {
	readonly messages: SinkMessage[] = [];
	private readonly sockets = new Set<Socket>();

	private constructor(private readonly server: Server) {}

	static async start(): Promise<SmtpSink> {
		const server = createServer();
		const sink = new SmtpSink(server);
		server.on('connection', (socket) => sink.serve(socket));
		await new Promise<void>((resolve, reject) => {
			server.once('error', reject);
			server.listen(0, '127.0.0.1', () => resolve());
		});
		return sink;
	}

	get port(): number {
		return (this.server.address() as AddressInfo).port;
	}

	/** The messages sent to `address`, in the order they came. */
	to(address: string): SinkMessage[] {
		return this.messages.filter((m) => m.to.some((to) => to.toLowerCase() === address.toLowerCase()));
	}

	async close(): Promise<void> {
		for (const socket of this.sockets) socket.destroy();
		await new Promise<void>((resolve) => this.server.close(() => resolve()));
	}

	private serve(socket: Socket): void {
		this.sockets.add(socket);
		socket.on('close', () => this.sockets.delete(socket));
		socket.on('error', () => socket.destroy());
		socket.setEncoding('utf8');
		const reply = (line: string) => socket.write(`${line}\r\n`);
		let buffered = '';
		let from = '';
		let to: string[] = [];
		let data: string[] | null = null;

		const command = (line: string) => {
			const verb = line.slice(0, 4).toUpperCase();
			if (verb === 'EHLO') reply('250 smtp-sink');
			else if (verb === 'HELO') reply('250 smtp-sink');
			else if (verb === 'MAIL') {
				from = addressIn(line);
				to = [];
				reply('250 OK');
			} else if (verb === 'RCPT') {
				to.push(addressIn(line));
				reply('250 OK');
			} else if (verb === 'DATA') {
				data = [];
				reply('354 End data with <CR><LF>.<CR><LF>');
			} else if (verb === 'RSET') {
				from = '';
				to = [];
				reply('250 OK');
			} else if (verb === 'NOOP') reply('250 OK');
			else if (verb === 'QUIT') {
				reply('221 Bye');
				socket.end();
			} else reply('502 Command not implemented');
		};

		socket.on('data', (chunk: string) => {
			buffered += chunk;
			for (let end = buffered.indexOf('\r\n'); end >= 0; end = buffered.indexOf('\r\n')) {
				const line = buffered.slice(0, end);
				buffered = buffered.slice(end + 2);
				if (data === null) {
					command(line);
				} else if (line === '.') {
					this.messages.push(parseMessage(from, to, data.join('\r\n')));
					data = null;
					reply('250 OK: queued');
				} else {
					data.push(line.startsWith('.') ? line.slice(1) : line);
				}
			}
		});
		reply('220 smtp-sink ESMTP');
	}
}

/** The address of `MAIL FROM:<a@b>` or `RCPT TO:<a@b>`. */
function addressIn(line: string): string {
	const match = /<([^>]*)>/.exec(line);
	return match ? match[1] : line.slice(line.indexOf(':') + 1).trim();
}

function parseMessage(from: string, to: string[], raw: string): SinkMessage {
	const split = raw.indexOf('\r\n\r\n');
	const head = split >= 0 ? raw.slice(0, split) : raw;
	const body = split >= 0 ? raw.slice(split + 4) : '';
	const headers: Record<string, string> = {};
	// Folded header lines (starting with white space) continue the one before.
	for (const line of head.split('\r\n').reduce<string[]>((lines, l) => (/^[ \t]/.test(l) && lines.length ? [...lines.slice(0, -1), `${lines[lines.length - 1]} ${l.trim()}`] : [...lines, l]), [])) {
		const colon = line.indexOf(':');
		if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
	}
	const encoding = (headers['content-transfer-encoding'] ?? '7bit').toLowerCase();
	const text = encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body;
	return { from, to, headers, subject: decodeEncodedWords(headers.subject ?? ''), text: text.replace(/\r\n/g, '\n'), raw };
}

function decodeQuotedPrintable(body: string): string {
	const bytes = body.replace(/=\r\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
	return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** RFC 2047 words (=?UTF-8?Q?...?= and =?UTF-8?B?...?=), as mail clients write non-ASCII or long subjects. */
function decodeEncodedWords(value: string): string {
	return value
		.replace(/\?=\s+=\?/g, '?==?')
		.replace(/=\?([^?]+)\?([QqBb])\?([^?]*)\?=/g, (_m, _charset: string, kind: string, word: string) =>
			kind.toUpperCase() === 'B' ? Buffer.from(word, 'base64').toString('utf8') : decodeQuotedPrintable(word.replace(/_/g, ' ')),
		);
}
