/**
 * The page templates (eta, with autoEscape: `<%= %>` escapes, `<%~ %>` is used only for HTML this
 * package rendered itself). Kept in code so the published package needs no template files.
 */
export const layoutTemplate = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title><%= it.title %></title>
<% it.stylesheets.forEach(function (href) { %><link rel="stylesheet" href="<%= href %>">
<% }) %><% if (!it.bootstrap) { %><style>
body.sitemsg { font-family: system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #222; }
.sitemsg table { border-collapse: collapse; margin: 1rem 0; }
.sitemsg th, .sitemsg td { border-bottom: 1px solid #ddd; padding: .5rem 1rem; text-align: center; }
.sitemsg tbody th { text-align: left; font-weight: normal; }
.sitemsg input[type=checkbox] { width: 1.1rem; height: 1.1rem; }
.sitemsg button { font: inherit; padding: .4rem 1.2rem; cursor: pointer; }
.sitemsg-notice { background: #e7f5e9; border: 1px solid #9bd3a4; padding: .5rem 1rem; }
.sitemsg-error { background: #fdecea; border: 1px solid #f1a9a0; padding: .5rem 1rem; }
</style>
<% } %></head>
<body class="<%= it.bootstrap ? 'container py-4' : 'sitemsg' %>">
<%~ it.body %>
</body>
</html>
`;

export const preferencesTemplate = `<main class="sitemsg-preferences">
<h1><%= it.title %></h1>
<% if (it.saved) { %><p class="<%= it.bootstrap ? 'alert alert-success' : 'sitemsg-notice' %>" role="status">Your preferences have been saved.</p>
<% } %><% if (it.table.rows.length === 0 || it.table.messengers.length === 0) { %><p>There are no notifications to choose from.</p>
<% } else { %><form method="post" action="<%= it.action %>">
<input type="hidden" name="_csrf" value="<%= it.csrfToken %>">
<table class="<%= it.bootstrap ? 'table table-striped align-middle' : 'sitemsg-prefs-table' %>">
<thead><tr><th scope="col">Notification</th><% it.table.messengers.forEach(function (m) { %><th scope="col"><%= m.title %></th><% }) %></tr></thead>
<tbody>
<% it.table.rows.forEach(function (row, r) { %><tr>
<th scope="row"><%= row.title %></th>
<% row.cells.forEach(function (cell, c) { %><td><input type="checkbox" class="<%= it.bootstrap ? 'form-check-input' : 'sitemsg-pref' %>" name="pref" id="sitemsg-pref-<%= r %>-<%= c %>" value="<%= cell.value %>" aria-label="<%= row.title %>: <%= it.table.messengers[c].title %>"<%= cell.active && cell.allowed ? ' checked' : '' %><%= cell.allowed ? '' : ' disabled' %>></td>
<% }) %></tr>
<% }) %></tbody>
</table>
<button type="submit" class="<%= it.bootstrap ? 'btn btn-primary' : 'sitemsg-save' %>">Save preferences</button>
</form>
<% } %></main>
`;

export const confirmUnsubscribeTemplate = `<main class="sitemsg-unsubscribe">
<h1>Unsubscribe</h1>
<p>Stop sending “<%= it.typeTitle %>” to <strong><%= it.address %></strong> through <%= it.messengerTitle %>?</p>
<form method="post" action="<%= it.action %>">
<button type="submit" class="<%= it.bootstrap ? 'btn btn-danger' : 'sitemsg-confirm' %>">Unsubscribe</button>
</form>
</main>
`;

export const noticeTemplate = `<main class="sitemsg-notice-page">
<h1><%= it.title %></h1>
<p class="<%= it.bootstrap ? (it.error ? 'alert alert-danger' : 'alert alert-success') : (it.error ? 'sitemsg-error' : 'sitemsg-notice') %>" role="<%= it.error ? 'alert' : 'status' %>"><%= it.text %></p>
</main>
`;
