import requests

# 用户注册
register_data = {
    "username": "testuser",
    "password": "password123",
    "full_name": "测试用户"
}
response = requests.post("http://127.0.0.1:5000/api/v1/auth/register", json=register_data)
print("注册结果:", response.json())

# 用户登录
login_data = {
    "username": "testuser", 
    "password": "password123"
}
response = requests.post("http://127.0.0.1:5000/api/v1/auth/login", json=login_data)
result = response.json()
print("登录结果:", result)

# 获取用户信息（需要token）
if result['status'] == 'success':
    token = result['data']['access_token']
    headers = {"Authorization": f"Bearer {token}"}
    response = requests.get("http://127.0.0.1:5000/api/v1/users/profile", headers=headers)
    print("用户信息:", response.json())
