-- Headless end-to-end driver for the prefect-lsp Neovim plugin; run through test/run.sh,
-- which documents the inputs (environment variables) and the JSON it writes.
local uv = vim.loop or vim.uv

local function env(name, default)
  local v = os.getenv(name)
  if v == nil or v == "" then
    return default
  end
  return v
end

local result = {
  ok = false,
  errors = {},
  nvim_version = tostring(vim.version().major) .. "." .. tostring(vim.version().minor) .. "." .. tostring(vim.version().patch),
}

local function fail(msg)
  table.insert(result.errors, msg)
end

local function write_result_and_quit(status)
  local path = env("PREFECT_LSP_RESULT", nil)
  local ok, encoded = pcall(vim.fn.json_encode, result)
  if not ok then
    encoded = vim.fn.json_encode({ ok = false, errors = { "could not encode result: " .. tostring(encoded) } })
    status = status == 0 and 3 or status
  end
  if path then
    local f = io.open(path, "w")
    if f then
      f:write(encoded, "\n")
      f:close()
    else
      io.stderr:write("e2e: cannot write " .. path .. "\n")
      status = status == 0 and 2 or status
    end
  end
  io.stderr:write("e2e: " .. (status == 0 and "ok" or ("failed: " .. table.concat(result.errors, "; "))) .. "\n")
  if status == 0 then
    vim.cmd("qall!")
  else
    vim.cmd(tostring(status) .. "cquit")
  end
end

local bin = env("PREFECT_LSP_BIN", nil)
local workspace = env("PREFECT_LSP_WORKSPACE", nil)
local result_path = env("PREFECT_LSP_RESULT", nil)
if not bin or not workspace or not result_path then
  fail("PREFECT_LSP_BIN, PREFECT_LSP_WORKSPACE and PREFECT_LSP_RESULT must be set")
  write_result_and_quit(2)
  return
end

local timeout = tonumber(env("PREFECT_LSP_TIMEOUT_MS", "15000")) or 15000
local settle = tonumber(env("PREFECT_LSP_SETTLE_MS", "500")) or 500
local file = env("PREFECT_LSP_FILE", "prefect.yaml")
local path = file:sub(1, 1) == "/" and file or (workspace:gsub("/+$", "") .. "/" .. file)
local settings = {}
local settings_json = env("PREFECT_LSP_SETTINGS", nil)
if settings_json then
  local ok, decoded = pcall(vim.fn.json_decode, settings_json)
  if not ok or type(decoded) ~= "table" then
    fail("PREFECT_LSP_SETTINGS is not a JSON object")
    write_result_and_quit(2)
    return
  end
  settings = decoded
end

result.file = path
result.uri = vim.uri_from_fname(path)
result.lsp_log = vim.lsp.get_log_path()

-- Record every publishDiagnostics for our file, raw (the LSP objects, with `data` and `code`).
local publishes = {}
local default_publish = vim.lsp.handlers["textDocument/publishDiagnostics"]
vim.lsp.handlers["textDocument/publishDiagnostics"] = function(err, params, ctx, config)
  if params and params.uri and vim.uri_to_fname(params.uri) == vim.uri_to_fname(result.uri) then
    table.insert(publishes, { time = uv.now(), diagnostics = params.diagnostics or {}, version = params.version })
  end
  return default_publish(err, params, ctx, config)
end

local attached_client
vim.cmd("filetype on")
local prefect = require("prefect_lsp")
prefect.setup({
  cmd = { bin, "serve" },
  settings = settings,
  on_attach = function(client)
    attached_client = client
  end,
})
result.strategy = prefect.strategy()

vim.cmd("edit " .. vim.fn.fnameescape(path))
local bufnr = vim.api.nvim_get_current_buf()
result.filetype = vim.bo[bufnr].filetype

if not vim.wait(timeout, function()
  return attached_client ~= nil
end, 20) then
  fail("timeout: client did not attach within " .. timeout .. " ms")
  write_result_and_quit(1)
  return
end
local client = attached_client
result.client = {
  name = client.name,
  root_dir = client.config.root_dir,
  server_info = client.server_info or vim.NIL,
  server_capabilities = client.server_capabilities or vim.NIL,
}

-- Wait for the first publish, then until no new one arrives for `settle` ms.
local deadline = uv.now() + timeout
if not vim.wait(timeout, function()
  return #publishes > 0
end, 20) then
  fail("timeout: no textDocument/publishDiagnostics for " .. result.uri .. " within " .. timeout .. " ms")
  write_result_and_quit(1)
  return
end
while uv.now() < deadline do
  local last = publishes[#publishes].time
  vim.wait(settle, function()
    return publishes[#publishes].time ~= last
  end, 20)
  if publishes[#publishes].time == last then
    break
  end
end
local diagnostics = publishes[#publishes].diagnostics
result.publish_count = #publishes
result.diagnostics = diagnostics

local function request(method, params)
  local responses, err = vim.lsp.buf_request_sync(bufnr, method, params, timeout)
  if responses == nil then
    return { error = { message = "timeout or transport error: " .. tostring(err) }, timed_out = true }
  end
  for id, response in pairs(responses) do
    if id == client.id then
      return { result = response.result == nil and vim.NIL or response.result, error = response.error or vim.NIL }
    end
  end
  return { error = { message = "no response from prefect-lsp" }, timed_out = true }
end

local status = 0

-- Hover: PREFECT_LSP_HOVER="line:character" (0-based LSP position), else the first diagnostic's
-- start, else 0:0.
local hover_pos = { line = 0, character = 0 }
local hover_env = env("PREFECT_LSP_HOVER", nil)
if hover_env then
  local l, c = hover_env:match("^(%d+):(%d+)$")
  if not l then
    fail("PREFECT_LSP_HOVER must look like LINE:CHARACTER")
    write_result_and_quit(2)
    return
  end
  hover_pos = { line = tonumber(l), character = tonumber(c) }
elseif diagnostics[1] then
  hover_pos = diagnostics[1].range.start
end
local hover = request("textDocument/hover", { textDocument = { uri = result.uri }, position = hover_pos })
hover.position = hover_pos
result.hover = hover
if hover.timed_out then
  fail("hover: " .. hover.error.message)
  status = 1
end

-- Code actions at each diagnostic's range (at most PREFECT_LSP_MAX_ACTIONS, default 20).
result.code_actions = {}
local max_actions = tonumber(env("PREFECT_LSP_MAX_ACTIONS", "20")) or 20
for i, diagnostic in ipairs(diagnostics) do
  if i > max_actions then
    break
  end
  local actions = request("textDocument/codeAction", {
    textDocument = { uri = result.uri },
    range = diagnostic.range,
    context = { diagnostics = { diagnostic } },
  })
  actions.diagnostic = diagnostic
  table.insert(result.code_actions, actions)
  if actions.timed_out then
    fail("codeAction: " .. actions.error.message)
    status = 1
  end
end

result.ok = status == 0
write_result_and_quit(status)
