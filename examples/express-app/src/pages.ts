import { Eta } from 'eta';

/** The demo's pages, rendered by eta with autoEscape: `<%= %>` escapes everything users typed or received. */
const eta = new Eta({ autoEscape: true, useWith: false });

eta.loadTemplate(
  '@layout',
  `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title><%= it.title %> · sitemsg demo shop</title>
<style>
body { font-family: system-ui, sans-serif; max-width: 44rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
header { display: flex; gap: 1rem; align-items: center; border-bottom: 1px solid #ddd; padding-bottom: .5rem; }
header .spacer { flex: 1; }
.bell { text-decoration: none; font-size: 1.2rem; }
.bell span { background: #c62828; color: #fff; border-radius: 1rem; padding: 0 .45rem; font-size: .8rem; }
ul.inbox { list-style: none; padding: 0; }
ul.inbox li { padding: .4rem 0; border-bottom: 1px solid #eee; }
ul.inbox li.unread a { font-weight: bold; }
form.inline { display: inline; }
</style>
</head>
<body>
<%~ it.body %>
</body>
</html>`,
);

eta.loadTemplate(
  '@signin',
  `<h1>sitemsg demo shop</h1>
<form method="post" action="/login">
<input type="hidden" name="_csrf" value="<%= it.csrf %>">
<input type="hidden" name="next" value="<%= it.next %>">
<label>Sign in as <select name="user"><% it.users.forEach(function (u) { %><option value="<%= u.id %>"><%= u.name %> (<%= u.email %>)</option><% }) %></select></label>
<button type="submit">Sign in</button>
</form>`,
);

eta.loadTemplate(
  '@home',
  `<header>
<strong>sitemsg demo shop</strong><span class="spacer"></span>
<span>Signed in as <%= it.user.name %></span>
<a class="bell" href="/" title="Unread notifications"><svg width="18" height="18" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor" d="M12 22a2 2 0 0 0 2-2h-4a2 2 0 0 0 2 2zm6-6v-5a6 6 0 0 0-5-5.9V4a1 1 0 0 0-2 0v1.1A6 6 0 0 0 6 11v5l-2 2v1h16v-1z"/></svg> <span id="bell-count"><%= it.unread %></span></a>
<form class="inline" method="post" action="/logout"><input type="hidden" name="_csrf" value="<%= it.csrf %>"><button type="submit">Sign out</button></form>
</header>
<main>
<h1>Notifications</h1>
<form class="inline" method="post" action="/demo/order"><input type="hidden" name="_csrf" value="<%= it.csrf %>"><button id="ship" type="submit">Ship me an order</button></form>
<form class="inline" method="post" action="/demo/newsletter"><input type="hidden" name="_csrf" value="<%= it.csrf %>"><button id="publish" type="submit">Publish the newsletter</button></form>
<a href="/sitemsg/preferences">Notification preferences</a>
<% if (it.push) { %><p id="push"><button id="enable-push" type="button" hidden data-key="<%= it.push.publicKey %>">Enable browser notifications</button> <span id="push-status" role="status"></span></p><script src="/push/client.js"></script><% } %>
<% if (it.messages.length === 0) { %><p>No notifications yet.</p><% } %>
<ul class="inbox" id="inbox">
<% it.messages.forEach(function (m) { %><li class="<%= m.read ? 'read' : 'unread' %>" data-id="<%= m.id %>"><a href="/messages/<%= encodeURIComponent(m.id) %>"><%= m.title %></a> <small><%= m.createdAt.toISOString().slice(0, 16).replace('T', ' ') %></small></li>
<% }) %></ul>
<button id="mark-all" type="button" hidden>Mark all read</button>
</main>
<script>
// The bell, enhanced: the page works without this; with it the count stays fresh.
(function () {
  var count = document.getElementById('bell-count');
  var markAll = document.getElementById('mark-all');
  function refresh() {
    fetch('/sitemsg/api/inbox/unread-count', { credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(function (body) { count.textContent = String(body.count); });
  }
  markAll.hidden = false;
  markAll.addEventListener('click', function () {
    fetch('/sitemsg/api/csrf-token', { credentials: 'same-origin' })
      .then(function (r) { return r.json(); })
      .then(function (body) {
        return fetch('/sitemsg/api/inbox/read-all', { method: 'POST', credentials: 'same-origin', headers: { 'x-csrf-token': body.token } });
      })
      .then(function () {
        document.querySelectorAll('#inbox li.unread').forEach(function (li) { li.className = 'read'; });
        refresh();
      });
  });
  setInterval(refresh, 15000);
})();
</script>`,
);

eta.loadTemplate(
  '@message',
  `<p><a href="/">← Notifications</a></p>
<h1><%= it.message.title %></h1>
<p style="white-space: pre-wrap"><%= it.message.body %></p>`,
);

export function page(
  name: 'signin' | 'home' | 'message',
  title: string,
  data: Record<string, unknown>,
): string {
  return eta.render('@layout', { title, body: eta.render(`@${name}`, data) });
}
