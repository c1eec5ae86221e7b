// Starts GraphiQL on this API (the page's own origin, `graphql` beside the page) with the
// example operations of the page's data block as its first tabs. A file of its own, not an
// inline script, so that the page's Content-Security-Policy can forbid inline scripts.
(function () {
  'use strict';
  var examples = JSON.parse(document.getElementById('yhdyspinta-examples').textContent);
  var fetcher = GraphiQL.createFetcher({ url: new URL('graphql', document.baseURI).href });
  var root = ReactDOM.createRoot(document.getElementById('graphiql'));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultTabs: examples,
      defaultEditorToolsVisibility: true,
      shouldPersistHeaders: false,
    })
  );
})();
