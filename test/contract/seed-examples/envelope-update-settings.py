import requests

headers = {'Authorization': 'Bearer your_access_token_here'}

# 更新用户配置
response = requests.put('http://localhost:5000/api/v1/users/settings', 
                       headers=headers,
                       json={
                           'language': 'zh-CN',
                           'theme': 'dark'
                       })

if response.status_code == 200:
    print("配置更新成功")
else:
    print(f"更新失败: {response.status_code}")
