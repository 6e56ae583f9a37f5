// The dashboard's only script (served from /ui/static/, no inline code): the project page's live
// event log over server-sent events, and a confirmation before a destructive form posts.
(function () {
	'use strict';

	for (const form of document.querySelectorAll('form[data-confirm]')) {
		form.addEventListener('submit', function (event) {
			if (!window.confirm(form.getAttribute('data-confirm'))) event.preventDefault();
		});
	}

	const log = document.getElementById('events');
	const live = document.getElementById('live');
	const state = document.getElementById('live-state');
	if (!log || !live || typeof EventSource === 'undefined') return;

	const shown = function (text) {
		if (state) state.textContent = text;
	};

	// One entry of the log, built from text nodes only: nothing from the stream becomes markup.
	const add = function (event) {
		const item = document.createElement('li');
		item.setAttribute('data-event', event.id);
		const time = document.createElement('time');
		time.setAttribute('datetime', event.time);
		time.textContent = String(event.time).slice(11, 19);
		const what = document.createElement('span');
		what.textContent = event.type + ' ';
		const source = document.createElement('span');
		source.className = 'muted';
		source.textContent = event.source;
		what.appendChild(source);
		const data = document.createElement('span');
		data.className = 'data';
		const json = JSON.stringify(event.data);
		data.textContent = json.length > 400 ? json.slice(0, 399) + '…' : json;
		item.append(time, what, data);
		log.appendChild(item);
		log.scrollTop = log.scrollHeight;
	};

	// After an event, the status and task table are fetched once (the server renders and escapes them).
	let pending = null;
	const refresh = function () {
		if (pending) return;
		pending = setTimeout(function () {
			pending = null;
			fetch(live.getAttribute('data-live'), { credentials: 'same-origin', headers: { accept: 'text/html' } })
				.then(function (response) {
					return response.ok ? response.text() : null;
				})
				.then(function (fragment) {
					if (fragment !== null) live.innerHTML = fragment;
				})
				.catch(function () {
					shown('could not refresh');
				});
		}, 150);
	};

	const stream = new EventSource(log.getAttribute('data-stream'));
	stream.addEventListener('open', function () {
		shown('live');
		if (state) state.classList.add('on');
	});
	stream.addEventListener('error', function () {
		shown('reconnecting…');
		if (state) state.classList.remove('on');
	});
	stream.addEventListener('project', function (message) {
		add(JSON.parse(message.data));
		refresh();
	});
	stream.addEventListener('gone', function () {
		stream.close();
		shown('project deleted');
		if (state) state.classList.remove('on');
	});
})();
