#!/usr/bin/env node
// A local wechaty puppet-service gateway for stairbot's tests: a PuppetServer over a
// PuppetMock holding the demo community, driven through JSON lines.
//
//   node gateway.mjs --port 18788 --token TOKEN
//
// stdout carries only JSON lines (events and replies); everything else goes to stderr.
// Events:  {"event":"ready","port":N}
//          {"event":"sent","room":TOPIC|null,"room_id":ID|null,"to":CONTACT|null,
//           "text":...,"mentions":[ids],"ts":ms}       -- every message the bot sends
//          {"event":"login"} / {"event":"client","attached":bool}
// Commands on stdin, each may carry "id"; the reply is {"id":..,"ok":true,...} or
// {"id":..,"ok":false,"error":"..."}:
//   {"cmd":"say","from":ID,"room":TOPIC|ROOM_ID,"text":..,"mentions":[ids]}
//   {"cmd":"say","from":ID,"to":CONTACT_ID,"text":..}            -- a private message
//     optional: "type":"text"|"image"|"voice"|"file", "age":seconds in the past,
//               "msg_id": explicit message id
//   {"cmd":"redeliver","msg_id":ID}      -- emit an existing message again (same id)
//   {"cmd":"rename","room":TOPIC|ROOM_ID,"topic":NEW,"by":CONTACT_ID}
//   {"cmd":"ping"}
//   {"cmd":"stop"}                       -- shut down and exit 0
//
// Messages said while no client is attached are held and delivered once one is,
// as a puppet service that keeps a backlog would do.
import readline from 'node:readline'
import { randomUUID } from 'node:crypto'

import * as PUPPET from 'wechaty-puppet'
import { PuppetMock, mock } from 'wechaty-puppet-mock'
import { PuppetServer } from 'wechaty-puppet-service'
import { FileBox } from 'file-box'

const args = Object.fromEntries(
  process.argv.slice(2).reduce((acc, cur, i, all) => {
    if (cur.startsWith('--')) acc.push([cur.slice(2), all[i + 1]])
    return acc
  }, []),
)
const PORT = Number(args.port || 18788)
const TOKEN = args.token || 'stairbot-test-token'
const HOST = '127.0.0.1' // loopback only, ever

function emit (obj) {
  process.stdout.write(JSON.stringify(obj) + '\n')
}

// ---- the demo community -----------------------------------------------------------

const BOT = { id: 'wxid_stairbot', name: '楼道管家' }
const PEOPLE = [
  ['wxid_yexiaoyan', '叶笑燕'],
  ['wxid_wangxia', '王霞'],
  ['wxid_chenjianguo', '陈建国'],
  ['wxid_wuye_xiaozhang', '物业小张'],
  ['wxid_zhouhaifang', '周海芳'],
  ['wxid_liayi', '李阿姨'],
  ['wxid_zhangshu', '张叔'],
  ['wxid_fake', '叶笑燕'], // an impostor wearing the captain's display name
]
const OFFICIAL = { id: 'gh_xinyi_wuye', name: '新宜物业服务号' } // an official account
const RESIDENTS = ['wxid_liayi', 'wxid_zhangshu', 'wxid_fake', OFFICIAL.id]
const ROOMS = [
  ['xinyi_1_1@chatroom', '新宜1幢1单元楼道群', ['wxid_yexiaoyan', 'wxid_wuye_xiaozhang', ...RESIDENTS]],
  ['xinyi_1_2@chatroom', '新宜1幢2单元楼道群', ['wxid_wangxia', 'wxid_wuye_xiaozhang', ...RESIDENTS]],
  ['xinyi_2_1@chatroom', '新宜2幢1单元楼道群', ['wxid_chenjianguo', 'wxid_wuye_xiaozhang', ...RESIDENTS]],
  ['xinyi_staff@chatroom', '新宜社区工作群', ['wxid_zhouhaifang', 'wxid_yexiaoyan', 'wxid_wangxia', 'wxid_chenjianguo', 'wxid_wuye_xiaozhang']],
  ['gebi_chat@chatroom', '隔壁小区闲聊群', ['wxid_liayi', 'wxid_zhangshu']],
]

const mocker = new mock.Mocker()
const contacts = new Map()
for (const [id, name] of [[BOT.id, BOT.name], ...PEOPLE]) {
  contacts.set(id, mocker.createContact({ id, name, type: PUPPET.types.Contact.Individual }))
}
contacts.set(OFFICIAL.id, mocker.createContact({ ...OFFICIAL, type: PUPPET.types.Contact.Official }))
const rooms = new Map()
for (const [id, topic, members] of ROOMS) {
  rooms.set(id, mocker.createRoom({ id, topic, memberIdList: [BOT.id, ...members], adminIdList: [], ownerId: members[0] }))
}

function findRoom (key) {
  if (rooms.has(key)) return rooms.get(key)
  for (const room of rooms.values()) if (room.payload.topic === key) return room
  throw new Error(`no room ${key}`)
}
function findContact (id) {
  const c = contacts.get(id)
  if (!c) throw new Error(`no contact ${id}`)
  return c
}

// ---- the puppet -------------------------------------------------------------------

class GatewayPuppet extends PuppetMock {
  // The python client calls stop() then start() on connect; stop() logs the bot out,
  // so every start logs it back in and announces ready (PuppetMock never does).
  async onStart () {
    await super.onStart()
    setImmediate(() => {
      if (!this.isLoggedIn) mocker.login(contacts.get(BOT.id))
      this.emit('ready', { data: 'ready' })
      emit({ event: 'login' })
    })
  }

  // PuppetMock drops mentions on send: record what the bot said before delegating.
  async messageSendText (conversationId, text, mentionIdList = []) {
    const isRoom = conversationId.includes('@')
    emit({
      event: 'sent',
      room: isRoom ? rooms.get(conversationId)?.payload.topic ?? null : null,
      room_id: isRoom ? conversationId : null,
      to: isRoom ? null : conversationId,
      text,
      mentions: mentionIdList || [],
      ts: Date.now(),
    })
    return super.messageSendText(conversationId, text)
  }
}

const puppet = new GatewayPuppet({ mocker })

// Held while no client listens for messages (the event stream registers the listener).
const held = []
const attached = () => puppet.listenerCount('message') > 0
puppet.on('newListener', (name) => {
  if (name !== 'message') return
  emit({ event: 'client', attached: true })
  // let the stream deliver login/ready first
  setTimeout(() => {
    while (held.length && attached()) puppet.emit('message', { messageId: held.shift() })
  }, 300)
})
puppet.on('removeListener', (name) => {
  if (name === 'message' && !attached()) emit({ event: 'client', attached: false })
})

function deliver (messageId) {
  if (attached()) puppet.emit('message', { messageId })
  else held.push(messageId)
}

const TYPES = {
  text: PUPPET.types.Message.Text,
  image: PUPPET.types.Message.Image,
  voice: PUPPET.types.Message.Audio,
  file: PUPPET.types.Message.Attachment,
}
// a 1x1 PNG
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=='

function say (cmd) {
  const talker = findContact(cmd.from)
  const type = TYPES[cmd.type || 'text']
  if (type === undefined) throw new Error(`unknown type ${cmd.type}`)
  const id = cmd.msg_id || randomUUID()
  const payload = {
    id,
    talkerId: talker.id,
    timestamp: Date.now() - Math.round((cmd.age || 0) * 1000),
    type,
  }
  if (type === PUPPET.types.Message.Text) {
    payload.text = cmd.text ?? ''
  } else {
    const name = { image: 'photo.png', voice: 'voice.silk', file: 'notice.pdf' }[cmd.type]
    mocker.cacheFileBoxPayload.set(id, FileBox.fromBase64(PNG, name).toJSON())
  }
  if (cmd.room) {
    payload.roomId = findRoom(cmd.room).id
    payload.mentionIdList = cmd.mentions || []
  } else {
    payload.listenerId = findContact(cmd.to || BOT.id).id
  }
  mocker.MessageMock.create(payload)
  deliver(id)
  return { msg_id: id, held: !attached() }
}

async function rename (cmd) {
  const room = findRoom(cmd.room)
  room.topic(cmd.topic).by(findContact(cmd.by || BOT.id))
  // drop the server-side payload cache so the client reads the new topic
  await puppet.roomPayloadDirty(room.id)
  return { room_id: room.id }
}

// ---- server and control loop ------------------------------------------------------

const server = new PuppetServer({
  endpoint: `${HOST}:${PORT}`,
  puppet,
  token: TOKEN,
  tls: { disable: true }, // the python client only speaks plaintext gRPC
})

let stopping = false
async function shutdown (code = 0) {
  if (stopping) return
  stopping = true
  try { await server.stop() } catch (e) { console.error('gateway: stop failed:', e) }
  try { await puppet.stop() } catch { /* already stopped */ }
  process.exit(code)
}
process.on('SIGTERM', () => shutdown(0))
process.on('SIGINT', () => shutdown(0))
process.stdin.on('end', () => shutdown(0)) // the test runner went away

await server.start()
emit({ event: 'ready', port: PORT })

const rl = readline.createInterface({ input: process.stdin })
rl.on('line', async (line) => {
  if (!line.trim()) return
  let cmd
  try { cmd = JSON.parse(line) } catch (e) { emit({ ok: false, error: `bad json: ${e.message}` }); return }
  const reply = (extra) => emit({ id: cmd.id, ...extra })
  try {
    switch (cmd.cmd) {
      case 'say': reply({ ok: true, ...say(cmd) }); break
      case 'redeliver': mocker.MessageMock.load(cmd.msg_id); deliver(cmd.msg_id); reply({ ok: true }); break
      case 'rename': reply({ ok: true, ...(await rename(cmd)) }); break
      case 'ping': reply({ ok: true, attached: attached(), logged_in: puppet.isLoggedIn }); break
      case 'stop': reply({ ok: true }); await shutdown(0); break
      default: reply({ ok: false, error: `unknown cmd ${cmd.cmd}` })
    }
  } catch (e) {
    reply({ ok: false, error: e.message })
  }
})
