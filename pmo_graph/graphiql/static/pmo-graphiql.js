// Starts GraphiQL on the page pmo-graph serves at its GraphQL endpoint (pmo_graph/graphiql).
// A file of its own, not an inline script, so the page's Content-Security-Policy can forbid
// inline scripts. Queries go to this page's own address; subscriptions to the same address over
// a WebSocket (graphql-transport-ws), whose connection_init payload is the headers pane.
"use strict";

(function () {
  // The headers pane starts with this text: paste the token after "Bearer ".
  var DEFAULT_HEADERS = '{\n  "Authorization": "Bearer "\n}';

  var DEFAULT_QUERY = [
    "# pmo-graph GraphiQL",
    "#",
    '# 1. Paste your token after "Bearer " in Headers (below).',
    "#    It stays in this page's memory: a reload forgets it.",
    "# 2. Run with Ctrl-Enter or the play button.",
    "#",
    "# An ADMIN creates tokens with 'pmo-graph token create';",
    "# 'pmo-graph serve --demo' prints the demo's.",
    "",
    "{",
    "  viewer {",
    "    user { email }",
    "    organisation { name }",
    "  }",
    "}",
    "",
  ].join("\n");

  // GraphiQL's own storage outlives the browser session. Here tabs,
  // the query and settings go to sessionStorage, and the history (whose entries carry the
  // headers, token and all) to this page's memory only. The headers themselves are never
  // stored (shouldPersistHeaders below).
  var NAMESPACE = "graphiql:";
  var IN_MEMORY = [NAMESPACE + "queries", NAMESPACE + "favorites"];
  var memory = {};

  function backing(key) {
    return IN_MEMORY.indexOf(key) >= 0 ? null : window.sessionStorage;
  }

  function ourKeys() {
    var keys = Object.keys(memory);
    for (var i = 0; i < window.sessionStorage.length; i++) {
      var key = window.sessionStorage.key(i);
      if (key !== null && key.indexOf(NAMESPACE) === 0) {
        keys.push(key);
      }
    }
    return keys;
  }

  var storage = {
    getItem: function (key) {
      var store = backing(key);
      if (store !== null) {
        return store.getItem(key);
      }
      return Object.prototype.hasOwnProperty.call(memory, key) ? memory[key] : null;
    },
    setItem: function (key, value) {
      var store = backing(key);
      if (store !== null) {
        store.setItem(key, value);
      } else {
        memory[key] = String(value);
      }
    },
    removeItem: function (key) {
      var store = backing(key);
      if (store !== null) {
        store.removeItem(key);
      } else {
        delete memory[key];
      }
    },
    get length() {
      return ourKeys().length;
    },
    clear: function () {
      ourKeys().forEach(this.removeItem);
    },
  };

  var endpoint = new URL(window.location.pathname, window.location.href);
  var socket = new URL(endpoint.href);
  socket.protocol = endpoint.protocol === "https:" ? "wss:" : "ws:";

  var fetcher = GraphiQL.createFetcher({
    url: endpoint.href,
    subscriptionUrl: socket.href,
  });

  var explorer = GraphiQLPluginExplorer.explorerPlugin();

  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      plugins: [explorer],
      storage: storage,
      defaultQuery: DEFAULT_QUERY,
      defaultHeaders: DEFAULT_HEADERS,
      // Never write the headers (the token) to storage, and hide the setting that would.
      shouldPersistHeaders: false,
      isHeadersEditorEnabled: true,
      defaultEditorToolsVisibility: "headers",
      inputValueDeprecation: true,
    }),
  );
})();
