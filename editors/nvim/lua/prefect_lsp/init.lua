-- prefect-lsp for Neovim 0.7 – 0.11+.
--
--   require("prefect_lsp").setup({
--     cmd = { "prefect-lsp", "serve" },           -- server command
--     settings = { rules = { ["some-rule"] = "off" } }, -- the `prefect-lsp` settings section
--     filetypes = { "yaml", "python" },            -- buffers considered at all
--     python = true,                               -- attach to Python files that import prefect
--     root_markers = { "prefect-lsp.toml", "pyproject.toml", ".git" },
--     on_attach = function(client, bufnr) end,
--     capabilities = nil,                          -- default: vim.lsp.protocol.make_client_capabilities()
--   })
--
-- prefect.yaml keeps the `yaml` filetype (so yamlls, treesitter and other YAML tooling keep
-- working); the client attaches only to buffers named prefect.yaml / prefect.yml or matching a
-- glob in settings.files, and (unless python = false) to Python buffers that import prefect,
-- where the server only reports on deployment calls (serve/deploy/to_deployment) and hovers
-- their names, leaving everything else to the Python language server. How it starts depends on the Neovim version:
--   0.11+     vim.lsp.config() + vim.lsp.enable(), gated by a root_dir(bufnr, on_dir) function;
--   0.8–0.10  a FileType autocommand calling vim.lsp.start();
--   0.7       a FileType autocommand calling vim.lsp.start_client() + vim.lsp.buf_attach_client(),
--             reusing one client per root directory.
local M = {}

M.name = "prefect_lsp"

--- Settings section the server asks for through workspace/configuration.
M.section = "prefect-lsp"

M.default_root_markers = { "prefect-lsp.toml", "pyproject.toml", ".git" }
M.default_filetypes = { "yaml", "python" }
M.default_cmd = { "prefect-lsp", "serve" }
M.prefect_globs = { "**/prefect.yaml", "**/prefect.yml" }

local uv = vim.loop or vim.uv

local function has(feature)
  return vim.fn.has(feature) == 1
end

local function is_windows()
  return has("win32")
end

local function normalize_path(path)
  if is_windows() then
    path = path:gsub("\\", "/")
  end
  return path
end

--- Makes a glob usable against absolute paths: relative globs match anywhere in the tree.
function M.normalize_glob(glob)
  if type(glob) ~= "string" then
    return nil
  end
  local g = normalize_path(vim.trim(glob))
  if g == "" then
    return nil
  end
  if g:sub(1, 2) == "./" then
    g = g:sub(3)
  end
  if g:sub(1, 1) == "/" or g:sub(1, 3) == "**/" or g:match("^%a:/") then
    return g
  end
  return "**/" .. g
end

-- Expands the first {a,b} group (recursively) into several globs.
local function expand_braces(glob, out)
  local open = glob:find("{", 1, true)
  if not open then
    table.insert(out, glob)
    return out
  end
  local depth, close = 0, nil
  for i = open, #glob do
    local ch = glob:sub(i, i)
    if ch == "{" then
      depth = depth + 1
    elseif ch == "}" then
      depth = depth - 1
      if depth == 0 then
        close = i
        break
      end
    end
  end
  if not close then
    table.insert(out, glob)
    return out
  end
  local prefix, body, suffix = glob:sub(1, open - 1), glob:sub(open + 1, close - 1), glob:sub(close + 1)
  local parts, depth2, last = {}, 0, 1
  for i = 1, #body do
    local ch = body:sub(i, i)
    if ch == "{" then
      depth2 = depth2 + 1
    elseif ch == "}" then
      depth2 = depth2 - 1
    elseif ch == "," and depth2 == 0 then
      table.insert(parts, body:sub(last, i - 1))
      last = i + 1
    end
  end
  table.insert(parts, body:sub(last))
  for _, part in ipairs(parts) do
    expand_braces(prefix .. part .. suffix, out)
  end
  return out
end

-- Converts one brace-free glob into anchored Lua patterns: `**/` matches zero or more folders,
-- `**` anything, `*` and `?` never cross a `/`, [set] and [!set] are character classes.
local function glob_to_lua_patterns(glob)
  local variants = { "" }
  local i = 1
  local function append(piece)
    for k, v in ipairs(variants) do
      variants[k] = v .. piece
    end
  end
  while i <= #glob do
    local ch = glob:sub(i, i)
    if glob:sub(i, i + 2) == "**/" then
      local with_dirs = {}
      for _, v in ipairs(variants) do
        table.insert(with_dirs, v .. ".*/")
        table.insert(with_dirs, v)
      end
      variants = with_dirs
      i = i + 3
    elseif glob:sub(i, i + 1) == "**" then
      append(".*")
      i = i + 2
    elseif ch == "*" then
      append("[^/]*")
      i = i + 1
    elseif ch == "?" then
      append("[^/]")
      i = i + 1
    elseif ch == "[" and glob:find("]", i + 2, true) then
      local close = glob:find("]", i + 2, true)
      local set = glob:sub(i + 1, close - 1)
      if set:sub(1, 1) == "!" then
        set = "^" .. set:sub(2)
      end
      append("[" .. set:gsub("%%", "%%%%") .. "]")
      i = close + 1
    else
      append((ch:gsub("[%^%$%(%)%%%.%[%]%+%-]", "%%%0")))
      i = i + 1
    end
  end
  for k, v in ipairs(variants) do
    variants[k] = "^" .. v .. "$"
  end
  return variants
end

--- Lua patterns equivalent to a glob (after normalize_glob); exposed for tests.
function M.glob_patterns(glob)
  local g = M.normalize_glob(glob)
  if not g then
    return {}
  end
  local patterns = {}
  for _, expanded in ipairs(expand_braces(g, {})) do
    for _, p in ipairs(glob_to_lua_patterns(expanded)) do
      table.insert(patterns, p)
    end
  end
  return patterns
end

--- True when `path` (absolute) is a prefect.yaml-like file: named prefect.yaml/prefect.yml or
--- matching one of `globs` (the `files` setting).
function M.is_prefect_file(path, globs)
  if type(path) ~= "string" or path == "" then
    return false
  end
  path = normalize_path(path)
  local base = path:match("[^/]+$") or path
  if base == "prefect.yaml" or base == "prefect.yml" then
    return true
  end
  for _, glob in ipairs(globs or {}) do
    for _, pattern in ipairs(M.glob_patterns(glob)) do
      if path:match(pattern) then
        return true
      end
    end
  end
  return false
end

--- True when the lines of a Python buffer import prefect (`import prefect`, `import os, prefect.x`,
--- `from prefect… import`), as the server's own check does. Comments and strings are not parsed;
--- the server makes the final call, this only decides whether to attach.
function M.imports_prefect(lines)
  local function is_prefect(name)
    return name == "prefect" or name:sub(1, 8) == "prefect."
  end
  for _, line in ipairs(lines or {}) do
    local from = line:match("^%s*from%s+([%w_%.]+)%s+import")
    if from and is_prefect(from) then
      return true
    end
    local names = line:match("^%s*import%s+(.-)%s*$")
    if names then
      for item in names:gmatch("[^,]+") do
        local name = item:match("^%s*([%w_%.]+)")
        if name and is_prefect(name) then
          return true
        end
      end
    end
  end
  return false
end

--- Same as imports_prefect, for a file on disk (lspconfig's root_dir only gets a path).
function M.file_imports_prefect(path)
  local bufnr = vim.fn.bufnr(path)
  if bufnr ~= -1 and vim.api.nvim_buf_is_loaded(bufnr) then
    return M.imports_prefect(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false))
  end
  local f = io.open(path, "r")
  if f == nil then
    return false
  end
  local lines = {}
  for line in f:lines() do
    table.insert(lines, line)
  end
  f:close()
  return M.imports_prefect(lines)
end

--- True when buffer `bufnr` is one of ours: a prefect.yaml-like file, or (with opts.python) a
--- Python file that imports prefect.
function M.wanted(bufnr, opts)
  local path = vim.api.nvim_buf_get_name(bufnr)
  if M.is_prefect_file(path, opts.globs) then
    return true
  end
  if opts.python and path:match("%.py$") then
    return M.imports_prefect(vim.api.nvim_buf_get_lines(bufnr, 0, -1, false))
  end
  return false
end

local function exists(path)
  return uv.fs_stat(path) ~= nil
end

local function dirname(path)
  local parent = path:match("^(.*)/[^/]*$")
  if parent == nil then
    return nil
  end
  if parent == "" then
    return "/"
  end
  if parent:match("^%a:$") then
    return parent .. "/"
  end
  return parent
end

--- Nearest directory, from the file's own folder upwards, that contains one of `markers`;
--- the file's folder when none does.
function M.find_root(path, markers)
  path = normalize_path(path)
  markers = markers or M.default_root_markers
  local start = dirname(path) or "."
  local dir = start
  while dir do
    for _, marker in ipairs(markers) do
      local candidate = (dir:sub(-1) == "/") and (dir .. marker) or (dir .. "/" .. marker)
      if exists(candidate) then
        return dir
      end
    end
    local parent = dirname(dir)
    if parent == nil or parent == dir then
      break
    end
    dir = parent
  end
  return start
end

local function empty_dict()
  return vim.empty_dict and vim.empty_dict() or {}
end

--- Accepts either the bare section ({ rules = ... }) or { ["prefect-lsp"] = { ... } } and
--- returns the latter. Empty maps become dicts so they encode as {} rather than [].
function M.normalize_settings(settings)
  settings = settings or {}
  local section = settings[M.section]
  if section == nil then
    section = vim.deepcopy(settings)
  else
    section = vim.deepcopy(section)
  end
  for _, key in ipairs({ "rules", "workPools" }) do
    if section[key] == nil or (type(section[key]) == "table" and next(section[key]) == nil) then
      section[key] = empty_dict()
    end
  end
  if section.files == nil then
    section.files = {}
  end
  return { [M.section] = section }
end

local function file_globs(opts)
  local section = opts.settings[M.section] or {}
  local globs = {}
  if type(section.files) == "table" then
    for _, g in ipairs(section.files) do
      table.insert(globs, g)
    end
  end
  return globs
end

--- Fills in defaults; the result is what setup() keeps in M.options.
function M.resolve_options(opts)
  opts = vim.deepcopy(opts or {})
  local resolved = {
    cmd = opts.cmd or vim.deepcopy(M.default_cmd),
    filetypes = opts.filetypes or vim.deepcopy(M.default_filetypes),
    root_markers = opts.root_markers or vim.deepcopy(M.default_root_markers),
    settings = M.normalize_settings(opts.settings),
    on_attach = opts.on_attach,
    capabilities = opts.capabilities,
    init_options = opts.init_options,
    handlers = opts.handlers,
    python = opts.python ~= false,
  }
  local section = resolved.settings[M.section]
  if type(section.python) == "table" and section.python.enabled == false then
    resolved.python = false
  elseif not resolved.python then
    -- The server honours the same switch (python.enabled).
    section.python = vim.tbl_extend("force", type(section.python) == "table" and section.python or {}, { enabled = false })
  end
  if type(resolved.cmd) == "string" then
    resolved.cmd = { resolved.cmd, "serve" }
  end
  resolved.globs = file_globs(resolved)
  return resolved
end

--- The client config handed to vim.lsp.start / start_client for one root directory.
function M.client_config(opts, root_dir)
  return {
    name = M.name,
    cmd = opts.cmd,
    root_dir = root_dir,
    workspace_folders = {
      { uri = vim.uri_from_fname(root_dir), name = root_dir },
    },
    settings = opts.settings,
    init_options = opts.init_options,
    handlers = opts.handlers,
    capabilities = opts.capabilities or vim.lsp.protocol.make_client_capabilities(),
    on_attach = opts.on_attach,
  }
end

--- The vim.lsp.config() table for Neovim 0.11+.
function M.native_config(opts)
  return {
    cmd = opts.cmd,
    filetypes = opts.filetypes,
    settings = opts.settings,
    init_options = opts.init_options,
    handlers = opts.handlers,
    capabilities = opts.capabilities,
    on_attach = opts.on_attach,
    root_dir = function(bufnr, on_dir)
      if M.wanted(bufnr, opts) then
        on_dir(M.find_root(vim.api.nvim_buf_get_name(bufnr), opts.root_markers))
      end
    end,
  }
end

--- Which start mechanism this Neovim has: "native" (0.11+), "start" (0.8–0.10) or "start_client" (0.7).
function M.strategy()
  if type(vim.lsp.enable) == "function" and vim.lsp.config ~= nil then
    return "native"
  end
  if type(vim.lsp.start) == "function" then
    return "start"
  end
  return "start_client"
end

-- 0.7: client id per root directory.
local legacy_clients = {}

local function live_client(id)
  if id == nil then
    return nil
  end
  local client = vim.lsp.get_client_by_id(id)
  if client == nil or client.is_stopped() then
    return nil
  end
  return client
end

--- Starts (or reuses) the client for buffer `bufnr` if it holds a prefect.yaml-like file.
--- Returns the client id, or nil when the buffer is not one of ours.
function M.attach(bufnr, opts)
  opts = opts or M.options
  if opts == nil then
    return nil
  end
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  if vim.bo[bufnr].buftype ~= "" then
    return nil
  end
  if not M.wanted(bufnr, opts) then
    return nil
  end
  local path = vim.api.nvim_buf_get_name(bufnr)
  local root = M.find_root(path, opts.root_markers)
  local config = M.client_config(opts, root)
  if M.strategy() ~= "start_client" then
    return vim.lsp.start(config, { bufnr = bufnr })
  end
  local id = legacy_clients[root]
  if not live_client(id) then
    id = vim.lsp.start_client(config)
    legacy_clients[root] = id
  end
  if id then
    vim.lsp.buf_attach_client(bufnr, id)
  end
  return id
end

--- Clients of this plugin attached to `bufnr` (any Neovim version).
function M.clients(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local list = {}
  if vim.lsp.get_clients then
    list = vim.lsp.get_clients({ bufnr = bufnr, name = M.name })
  elseif has("nvim-0.8") then
    list = vim.lsp.get_active_clients({ bufnr = bufnr, name = M.name })
  else
    for _, client in pairs(vim.lsp.buf_get_clients(bufnr)) do
      if client.name == M.name then
        table.insert(list, client)
      end
    end
  end
  return list
end

--- client.request for every version (0.11 prefers the method-call form).
function M.request(client, method, params, handler, bufnr)
  if has("nvim-0.11") then
    return client:request(method, params, handler, bufnr)
  end
  return client.request(method, params, handler, bufnr)
end

local function show_markdown(markdown, title)
  vim.cmd("botright new")
  local buf = vim.api.nvim_get_current_buf()
  vim.bo[buf].buftype = "nofile"
  vim.bo[buf].bufhidden = "wipe"
  vim.bo[buf].swapfile = false
  pcall(vim.api.nvim_buf_set_name, buf, title)
  vim.api.nvim_buf_set_lines(buf, 0, -1, false, vim.split(markdown, "\n", { plain = true }))
  vim.bo[buf].filetype = "markdown"
  vim.bo[buf].modifiable = false
end

--- :PrefectLspExplain: asks the server (workspace/executeCommand prefect-lsp.explain) for a
--- markdown explanation of the current file and shows it in a scratch split.
function M.explain(bufnr)
  bufnr = (bufnr == nil or bufnr == 0) and vim.api.nvim_get_current_buf() or bufnr
  local client = M.clients(bufnr)[1]
  if client == nil then
    vim.notify("prefect-lsp is not attached to this buffer", vim.log.levels.WARN)
    return
  end
  local uri = vim.uri_from_bufnr(bufnr)
  local params = { command = "prefect-lsp.explain", arguments = { { uri = uri } } }
  M.request(client, "workspace/executeCommand", params, function(err, result)
    if err then
      vim.notify("prefect-lsp explain failed: " .. (err.message or vim.inspect(err)), vim.log.levels.ERROR)
      return
    end
    if type(result) == "table" and type(result.value) == "string" then
      result = result.value
    end
    if type(result) ~= "string" or result == "" then
      vim.notify("prefect-lsp explain returned nothing", vim.log.levels.WARN)
      return
    end
    show_markdown(result, "prefect-lsp://explain/" .. vim.fn.fnamemodify(vim.uri_to_fname(uri), ":t"))
  end, bufnr)
end

--- :PrefectLspRestart: stops this plugin's clients and re-attaches the prefect.yaml buffers.
function M.restart()
  local ids = {}
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    for _, client in ipairs(M.clients(buf)) do
      ids[client.id] = client
    end
  end
  for _, client in pairs(ids) do
    if has("nvim-0.11") then
      client:stop()
    else
      client.stop()
    end
  end
  legacy_clients = {}
  vim.defer_fn(function()
    for _, buf in ipairs(vim.api.nvim_list_bufs()) do
      if vim.api.nvim_buf_is_loaded(buf) then
        M.attach(buf)
      end
    end
  end, 500)
end

local function create_commands()
  vim.api.nvim_create_user_command("PrefectLspExplain", function()
    M.explain(0)
  end, { desc = "Explain the deployments in this prefect.yaml (prefect-lsp)" })
  vim.api.nvim_create_user_command("PrefectLspRestart", function()
    M.restart()
  end, { desc = "Restart prefect-lsp" })
end

function M.setup(user_opts)
  local opts = M.resolve_options(user_opts)
  M.options = opts
  create_commands()

  local group = vim.api.nvim_create_augroup("prefect_lsp", { clear = true })
  if opts.python then
    -- A Python file that starts importing prefect after it was opened: attach on save.
    vim.api.nvim_create_autocmd("BufWritePost", {
      group = group,
      pattern = "*.py",
      callback = function(args)
        if #M.clients(args.buf) == 0 then
          M.attach(args.buf, opts)
        end
      end,
    })
  end

  if M.strategy() == "native" then
    vim.lsp.config(M.name, M.native_config(opts))
    vim.lsp.enable(M.name)
    return opts
  end

  vim.api.nvim_create_autocmd("FileType", {
    group = group,
    pattern = opts.filetypes,
    callback = function(args)
      M.attach(args.buf, opts)
    end,
  })
  -- Buffers already open when setup() runs.
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if vim.api.nvim_buf_is_loaded(buf) and vim.tbl_contains(opts.filetypes, vim.bo[buf].filetype) then
      M.attach(buf, opts)
    end
  end
  return opts
end

return M
