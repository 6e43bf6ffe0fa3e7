-- Checks :PrefectLspExplain headless: opens $PREFECT_LSP_FILE with the server at $PREFECT_LSP_BIN,
-- runs the command, and expects a non-empty markdown scratch buffer.
-- Used by selftest.sh; exits 0 on success, 1 otherwise.
vim.cmd("filetype on")
local prefect = require("prefect_lsp")
local attached = false
prefect.setup({ cmd = { os.getenv("PREFECT_LSP_BIN"), "serve" }, on_attach = function() attached = true end })
vim.cmd("edit " .. vim.fn.fnameescape(os.getenv("PREFECT_LSP_FILE")))
local source = vim.api.nvim_get_current_buf()
local function finish(ok, msg)
  io.stderr:write("explain.lua: " .. msg .. "\n")
  vim.cmd(ok and "qall!" or "cquit 1")
end
if not vim.wait(20000, function() return attached end, 20) then
  return finish(false, "client did not attach")
end
vim.cmd("PrefectLspExplain")
local found
vim.wait(20000, function()
  for _, buf in ipairs(vim.api.nvim_list_bufs()) do
    if buf ~= source and vim.api.nvim_buf_is_loaded(buf) and vim.bo[buf].filetype == "markdown" then
      found = buf
      return true
    end
  end
  return false
end, 20)
if not found then
  return finish(false, "no markdown buffer appeared")
end
local text = table.concat(vim.api.nvim_buf_get_lines(found, 0, -1, false), "\n")
finish(text:match("%S") ~= nil, "markdown buffer, " .. #text .. " bytes: " .. text:sub(1, 60):gsub("\n", " | "))
